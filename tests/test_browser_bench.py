"""The browser bench's pure logic (scripts/browser_bench.py), without a browser: which moves are timed, the
states it reaches controls from, and how rows map to their targets."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from components import catalog, lessons

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("browser_bench", ROOT / "scripts" / "browser_bench.py")
bb = sys.modules.setdefault("browser_bench", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bb)


def test_the_question_banks_answers_get_three_timed_moves_and_other_controls_the_repeats():
    assert bb.fewer_repeats("bank.open_fund-momentum-adam", 5) == ("bank.open_", 3)
    assert bb.fewer_repeats("bank.open_fund-momentum-adam", 2) == ("bank.open_", 2)  # fewer asked: fewer
    assert bb.fewer_repeats("bank.search", 5) == (None, 5)
    assert bb.fewer_repeats("quiz.choice", 6) == (None, 6)


@pytest.mark.parametrize("warm, timed", [(True, 5), (False, 3), (True, 3), (False, 1)])
def test_a_plan_is_a_warm_up_move_when_asked_then_the_timed_moves(warm, timed):
    plan = bb.moves_plan(warm, timed)
    assert sum(plan) == timed and len(plan) == timed + warm
    assert plan[0] is (not warm) and all(plan[warm:])


def test_an_expander_leaves_open_and_closed_in_turn_so_three_timed_moves_need_one_restoring_press():
    # open, close, open: an odd number of presses leaves the answer open; the bench then presses once more
    assert len(bb.moves_plan(False, 3)) % 2 == 1 and "stExpander" in bb.TOGGLES
    assert len(bb.moves_plan(True, 3)) % 2 == 0  # with the warm-up it ends closed, no extra press


def test_what_the_observer_ignores_as_the_control_itself():
    assert bb.own_selector("st-key-bank-open_x", "stExpander") == ".st-key-bank-open_x summary"
    assert bb.own_selector("st-key-quiz-seed", "stNumberInput") == ".st-key-quiz-seed"


def source_of(view: str) -> str:
    """A page script's text and that of the components modules it imports (where some keys are spelled)."""
    text = (ROOT / view).read_text()
    imported = re.findall(r"^from components(?:\.ui)? import ([\w, ]+)", text, flags=re.M)
    modules = [m.split(" as ")[0].strip() for names in imported for m in names.split(",")]
    return text + "".join(path.read_text() for m in modules for path in (ROOT / "components").glob(f"**/{m}.py"))


def test_every_state_names_a_page_and_controls_that_its_script_draws():
    pages = {p.url_path: p for p in catalog.PAGES}
    named = [(url_path, bb.Via(e) if isinstance(e, str) else e) for url_path, es in bb.ENABLING.items() for e in es]
    assert {"quiz", "mock-interview", "star", "lessons"} <= {u for u, _ in named}
    for url_path, via in named:
        assert url_path in pages and (not via.path or via.path in pages)
        source = source_of(pages[via.path or url_path].path) + source_of("app.py")
        for key in via.moves + (via.only or ()):
            namespace, _, name = key.partition(".")
            assert f'"{namespace}.' in source and name in source, (url_path, key)


def test_the_lesson_step_is_a_real_step_with_a_previous_and_a_next():
    via = bb.lesson_step("threshold-roc", 4)
    lesson = next(les for les in lessons.load() if les.id == "threshold-roc")
    assert 1 < 4 < len(lesson.steps)
    query = {k: v[0] for k, v in parse_qs(via.query).items()}
    assert query == lesson.steps[3].query("threshold-roc", 4)
    assert via.path == lesson.steps[3].page and set(via.only) == {"lesson.prev", "lesson.next"}
    assert via.label("lessons") == "lessons @cockpit (threshold-roc step 4)"


def test_labels_show_the_link_and_the_moves():
    assert bb.Via().label("quiz") == "quiz"
    assert bb.Via("quiz.mode=Flash%20cards", ("quiz.reveal",)).label("quiz") == "quiz?quiz.mode=Flash%20cards >reveal"
    assert bb.Via(moves=("mock.start", "mock.stop")).label("mock-interview") == "mock-interview >start >stop"


@pytest.mark.parametrize("page, key, expected", [
    ("cockpit", "eval-threshold", 100),
    ("cockpit >start", "eval-threshold", 100),
    ("cockpit?eval.model=k-NN", "eval-threshold", 100),
    ("unsupervised?unsup.algorithm=DBSCAN", "unsup-algorithm", 2000),
    ("quiz >choice", "quiz-check", 300),
    ("lessons @cockpit (threshold-roc step 4)", "lesson-next", 300),
])
def test_a_row_gets_its_pages_target_whatever_state_it_was_timed_from(page, key, expected):
    assert bb.target_of(bb.Timing(page, key, "stSlider"))[1] == expected


def test_every_page_of_the_catalog_by_default_or_the_ones_named():
    assert bb.pages_from("") == [p.url_path for p in catalog.PAGES]
    assert {"question-bank", "quiz", "mock-interview", "star", "lessons"} <= set(bb.pages_from(""))
    assert bb.pages_from("quiz,star") == ["quiz", "star"]


def test_percentiles_pick_an_observed_value():
    assert bb.pct([3.0, 1.0, 2.0], 0.95) == 3.0 and bb.pct([5.0], 0.5) == 5.0


def test_the_progress_files_to_upload_differ_and_decode(tmp_path):
    from components import progress as pg

    files = bb.progress_files(tmp_path)
    docs = [pg.decode(f.read_text()) for f in files]
    assert len(files) == 2 and pg.totals(docs[0]) != pg.totals(docs[1])
