"""The mock interview: a timed run of questions from the bank, then a summary and a Markdown transcript.

The plan is drawn from the seed: with the default mix, about one question in three is behavioural
(at least one) and the technical ones come from as many different topics as possible. The countdown
is a CSS animation (:func:`countdown_html`): it runs in the browser with no rerun per second, and a
rerun (notes saved, a click) redraws it at the time left, not from the start.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components import charts, memo
from components import progress as pg
from components import question_bank as qb

N_KEY, SECONDS_KEY, MIX_KEY, LEVEL_KEY, SEED_KEY = "mock.n", "mock.seconds", "mock.mix", "mock.level", "mock.seed"
N_MIN, N_MAX, N_DEFAULT = 3, 10, 5
SECONDS_OPTIONS, SECONDS_DEFAULT = (60, 90, 120, 180, 240), 120
MIXES = ("Technical and behavioural", "Technical only", "Behavioural only")
ANY_LEVEL = "any level"
LEVEL_OPTIONS = (ANY_LEVEL, *qb.LEVELS)
SEED_DEFAULT, SEED_MAX = 1, 9999
BEHAVIOURAL_SHARE = 1 / 3


@dataclass(frozen=True)
class MockSettings:
    n: int
    seconds: int  # per answer
    mix: str
    level: str
    seed: int


@dataclass(frozen=True)
class Answer:
    notes: str = ""
    seconds: float | None = None  # time taken; None: not reached
    rating: str | None = None  # the learner's self-rating in the summary


def behavioural_count(s: MockSettings) -> int:
    if s.mix == "Technical only":
        return 0
    if s.mix == "Behavioural only":
        return s.n
    return max(1, round(s.n * BEHAVIOURAL_SHARE))


def _spread(rng: np.random.Generator, questions: list[qb.Question], k: int) -> list[qb.Question]:
    """``k`` questions taking one topic after another (topics in a random order), so topics repeat only
    when every topic has given one."""
    by_topic: dict[str, list[qb.Question]] = {}
    for i in rng.permutation(len(questions)):
        by_topic.setdefault(questions[i].topic, []).append(questions[i])
    order = [list(by_topic)[i] for i in rng.permutation(len(by_topic))]
    out: list[qb.Question] = []
    while len(out) < k and any(by_topic.values()):
        for t in order:
            if by_topic[t] and len(out) < k:
                out.append(by_topic[t].pop())
    return out


def plan(bank: tuple[qb.Question, ...], s: MockSettings) -> tuple[qb.Question, ...]:
    """The interview's questions in the order asked. A level with too few questions of a kind is topped
    up from the other levels."""
    rng = np.random.default_rng([s.seed, s.n])
    chosen: list[qb.Question] = []
    for kind, k in (("behavioural", behavioural_count(s)), ("technical", s.n - behavioural_count(s))):
        of_kind = [q for q in bank if q.kind == kind]
        at_level = [q for q in of_kind if s.level in (ANY_LEVEL, q.level)]
        picked = _spread(rng, at_level, k)
        picked += _spread(rng, [q for q in of_kind if q not in at_level], k - len(picked))
        chosen += picked
    return tuple(chosen[i] for i in rng.permutation(len(chosen)))


# ------------------------------------------------------------------------------------------------ countdown

COUNTDOWN_CSS = "<style>\n" + r"""
@property --mlx-left { syntax: '\3c integer>'; inherits: true; initial-value: 0; }
@property --mlx-min { syntax: '\3c integer>'; inherits: true; initial-value: 0; }
.mlx-countdown { --mlx-min: max(0, calc((var(--mlx-left) - 30) / 60));
  counter-reset: mlxm var(--mlx-min) mlxs calc(var(--mlx-left) - var(--mlx-min) * 60);
  animation-name: mlx-count; animation-timing-function: linear; animation-fill-mode: forwards;
  display: flex; align-items: baseline; gap: 1rem; font-variant-numeric: tabular-nums; }
.mlx-clock { font-size: 2.4rem; font-weight: 600; line-height: 1.2; }
.mlx-clock::after { content: counter(mlxm) ":" counter(mlxs, decimal-leading-zero); }
.mlx-bar { flex: 1; height: .6rem; background: #0072B2; border-radius: .3rem; transform-origin: left;
  animation: mlx-shrink linear forwards; animation-duration: inherit; animation-delay: inherit; }
.mlx-up { visibility: hidden; color: #D55E00; font-weight: 600; animation: mlx-show 1ms linear forwards; }
.mlx-late { animation: mlx-red 1ms linear forwards; }
@keyframes mlx-shrink { from { transform: scaleX(1); } to { transform: scaleX(0); background: #D55E00; } }
@keyframes mlx-show { to { visibility: visible; } }
@keyframes mlx-red { to { color: #D55E00; } }
""" + "".join(f"@keyframes mlx-count-{n} {{ from {{ --mlx-left: {n}; }} to {{ --mlx-left: 0; }} }}\n"
              for n in SECONDS_OPTIONS) + "</style>"


def countdown_html(limit: int, elapsed: float) -> str:
    """A countdown from ``limit`` seconds that has already run ``elapsed`` seconds: a clock (m:ss) that turns
    red at zero, a shrinking bar and "Time's up", all CSS animations (the style is :data:`COUNTDOWN_CSS`)."""
    if limit not in SECONDS_OPTIONS:
        raise ValueError(f"no countdown of {limit} s")
    elapsed = min(max(float(elapsed), 0.0), float(limit))
    left = limit - elapsed
    return (f'<div class="mlx-countdown" role="timer" aria-label="time left for this answer" '
            f'style="animation-name: mlx-count-{limit}; animation-duration: {limit}s; animation-delay: -{elapsed:.1f}s">'
            f'<span class="mlx-clock mlx-late" style="animation-delay: {left:.1f}s"></span><span class="mlx-bar"></span>'
            f'<span class="mlx-up" style="animation-delay: {left:.1f}s">Time’s up</span></div>')


def clock(secs: float) -> str:
    secs = int(round(secs))
    return f"{secs // 60}:{secs % 60:02d}"


# ------------------------------------------------------------------------------------------------ summary

def time_frame(questions: tuple[qb.Question, ...], answers: list[Answer], limit: int) -> pd.DataFrame:
    """Per question: its kind, the time allowed and the time taken (0 where not answered yet)."""
    return pd.DataFrame({
        "question": [f"Q{i + 1}" for i in range(len(questions))],
        "kind": [q.kind for q in questions],
        "seconds allowed": [limit] * len(questions),
        "seconds taken": [round(a.seconds, 1) if a.seconds is not None else 0.0 for a in answers],
    })


@memo.cached(max_entries=32)
def time_spec(rows: tuple[tuple[str, str, int, float], ...]) -> dict:
    """Time taken per question (bars, coloured by kind) against the time allowed (a tick)."""
    import altair as alt

    df = pd.DataFrame(rows, columns=["question", "kind", "seconds allowed", "seconds taken"])
    order = list(df["question"])
    y = alt.Y("question:N", sort=order, title=None)
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("seconds taken:Q", title="seconds", scale=alt.Scale(domain=[0, float(max(df["seconds allowed"].max(),
                                                                                        df["seconds taken"].max()))])),
        y=y, color=alt.Color("kind:N", scale=alt.Scale(domain=list(qb.KINDS), range=[charts.BLUE, charts.ORANGE])),
        tooltip=[alt.Tooltip("question:N"), alt.Tooltip("kind:N"), alt.Tooltip("seconds taken:Q"),
                 alt.Tooltip("seconds allowed:Q")])
    ticks = alt.Chart(df).mark_tick(color=charts.BLACK, thickness=2).encode(
        x=alt.X("seconds allowed:Q"), y=y, tooltip=[alt.Tooltip("seconds allowed:Q")])
    # a layered chart with a fixed height is squeezed by Streamlit's frontend: the height is set per band
    return charts.to_spec((bars + ticks).properties(height=alt.Step(28), width="container",
                                                    title="Time taken per answer (tick: time allowed)"))


def topic_summary(questions: tuple[qb.Question, ...], answers: list[Answer]) -> pd.DataFrame:
    """Per topic: questions asked, questions self-rated and the mean self-rating (knew it 100 %,
    partly 50 %, not yet 0 %; blank when none is rated)."""
    rows = []
    for topic in dict.fromkeys(q.topic for q in questions):
        ratings = [a.rating for q, a in zip(questions, answers) if q.topic == topic and a.rating]
        rows.append({"topic": qb.TOPIC_TITLES[topic], "questions": sum(q.topic == topic for q in questions),
                     "rated": len(ratings),
                     "self-rating (%)": round(100 * float(np.mean([pg.RATING_SCORE[r] for r in ratings])))
                     if ratings else float("nan")})
    return pd.DataFrame(rows)


def _fence(text: str) -> str:
    run = max((len(r) for r in text.split("\n") if set(r.strip()) == {"~"}), default=0)
    return "~" * max(3, run + 1)


def transcript(s: MockSettings, questions: tuple[qb.Question, ...], answers: list[Answer]) -> str:
    """The interview as Markdown: each question, the learner's notes (verbatim, in a fenced block), the
    time taken, the self-rating, and the model answer with its common mistakes and follow-ups."""
    lines = ["# Mock interview transcript", "",
             f"ML Explorer · {len(questions)} questions · {s.seconds} s per answer · {s.mix} · {s.level} · "
             f"seed {s.seed}", ""]
    for i, (q, a) in enumerate(zip(questions, answers), start=1):
        taken = "not answered" if a.seconds is None else (
            f"{clock(a.seconds)} of {clock(s.seconds)}" + (" (over time)" if a.seconds > s.seconds else ""))
        notes = a.notes.strip() or "(no notes)"
        fence = _fence(notes)
        lines += [f"## {i}. {q.question}", "", f"*{q.topic_title} · {q.level} · {q.kind}* · time: {taken}", "",
                  "**Your notes**", "", f"{fence}text", notes, fence, "",
                  f"**Your rating:** {a.rating or 'not rated'}", "", "**Model answer.** " + q.answer, "",
                  "**Common mistakes**", ""] + [f"- {m}" for m in q.mistakes] + \
                 ["", "**Follow-up questions**", ""] + [f"- {f}" for f in q.follow_ups] + [""]
    return "\n".join(lines)
