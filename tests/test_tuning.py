"""Tuning lab: the surface against GridSearchCV, the three searches' bookkeeping, the page via AppTest."""
from __future__ import annotations

import json
import subprocess
import sys
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from components import datasets
from components import tuning as tn
from components.charts import tuning as tchart
from components.code_export import dataset_code
from tests.apptest_utils import ROOT, assert_clean, chart_specs, metric_values, open_page, run_exported_script
from tests.chart_utils import scrub_start, without_scrub_starts

PAGE = "views/evaluation/tuning.py"
SEED = 42


@pytest.fixture(scope="module")
def cancer_split():
    ds = datasets.load("breast_cancer")
    return tn.split_rows(ds.X, ds.y, True, SEED)


@pytest.fixture(scope="module")
def cancer_xy(cancer_split):
    return cancer_split[:2]


@pytest.fixture(scope="module")
def full_surface(cancer_xy):
    return tn.score_surface(*cancer_xy, True, SEED)


def test_surface_matches_grid_search_cv(cancer_xy):
    X, y = cancer_xy
    surf = tn.score_surface(X, y, True, SEED, resolution=4)
    lc, lg = tn.axes(4)
    gs = GridSearchCV(make_pipeline(StandardScaler(), SVC()), {"svc__C": 10.0 ** lc, "svc__gamma": 10.0 ** lg},
                      cv=StratifiedKFold(3, shuffle=True, random_state=SEED)).fit(X, y)
    res = pd.DataFrame(gs.cv_results_)
    for _, row in surf.iterrows():
        hit = res[np.isclose(res["param_svc__C"].astype(float), 10.0 ** row["log10 C"])
                  & np.isclose(res["param_svc__gamma"].astype(float), 10.0 ** row["log10 gamma"])]
        assert row["score"] == pytest.approx(hit["mean_test_score"].item())
    assert surf["score"].max() == pytest.approx(gs.best_score_)


def test_interpolation_is_exact_on_the_grid(full_surface):
    interp = tn.interpolator(full_surface)
    sample = full_surface.sample(10, random_state=0)
    np.testing.assert_allclose(interp(sample[["log10 C", "log10 gamma"]].to_numpy()), sample["score"])


@pytest.mark.parametrize("budget", [4, 10, 20, 60])
def test_searches_respect_budget_and_bounds(full_surface, budget):
    trials = tn.run_searches(full_surface, budget, SEED)
    counts = trials.groupby("strategy")["trial"].count()
    assert counts[tn.GRID] == int(np.floor(np.sqrt(budget))) ** 2
    assert counts[tn.RANDOM] == budget and counts[tn.BAYES] == budget
    assert trials["log10 C"].between(*tn.LOG_C).all() and trials["log10 gamma"].between(*tn.LOG_GAMMA).all()
    for _, part in trials.groupby("strategy"):
        assert (np.diff(part["best so far"]) >= 0).all()
        assert part["best so far"].iloc[-1] == pytest.approx(part["score"].max())
    assert trials["score"].max() <= full_surface["score"].max() + 1e-12  # interpolation never overshoots
    # the grid strategy visits only m distinct values of each hyper-parameter; random visits `budget`
    grid = trials[trials["strategy"] == tn.GRID]
    assert grid["log10 C"].nunique() == int(np.floor(np.sqrt(budget)))
    assert trials[trials["strategy"] == tn.RANDOM]["log10 C"].nunique() == budget


def test_bayes_concentrates_trials_near_the_optimum():
    # a synthetic surface with one sharp peak: after its random start-up TPE samples close to it
    lc, lg = tn.axes(25)
    c, g = np.meshgrid(lc, lg, indexing="ij")
    z = np.exp(-((c - 1.5) ** 2 + (g + 2.5) ** 2) / 0.5)
    surf = pd.DataFrame({"log10 C": c.ravel(), "log10 gamma": g.ravel(), "score": z.ravel()})
    trials = tn.run_searches(surf, 40, SEED)
    late = trials[(trials["strategy"] == tn.BAYES) & (trials["trial"] > 20)]
    rand = trials[(trials["strategy"] == tn.RANDOM) & (trials["trial"] > 20)]
    assert late["score"].mean() > rand["score"].mean()


# ---- AppTest ------------------------------------------------------------------------------------
def test_page_default_numbers(full_surface, cancer_xy):
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    m = metric_values(at)
    assert m["Best on the full grid (100 settings)"] == f"{full_surface['score'].max():.3f}"
    trials = tn.run_searches(full_surface, tn.BUDGET_DEFAULT, SEED)
    best = trials.groupby("strategy")["score"].max()
    assert m[f"{tn.RANDOM}, best of {tn.BUDGET_DEFAULT}"] == f"{best[tn.RANDOM]:.3f}"
    assert m[f"{tn.BAYES}, best of {tn.BUDGET_DEFAULT}"] == f"{best[tn.BAYES]:.3f}"
    assert m[f"{tn.GRID}, best of 16"] == f"{best[tn.GRID]:.3f}"
    rows = len(cancer_xy[1])
    assert f"one row is worth {1 / rows:.3f}" in " ".join(c.value for c in at.caption)
    assert f"Showing all {tn.BUDGET_DEFAULT} trials" in " ".join(c.value for c in at.caption)  # replay past the budget


def test_budget_reruns_searches_not_surface_and_replay_is_cheap():
    at = open_page(PAGE)
    with mock.patch.object(tn, "score_surface", wraps=tn.score_surface) as surf_spy, \
            mock.patch.object(tn, "run_searches", wraps=tn.run_searches) as search_spy, \
            mock.patch.object(tn, "bayes_points", wraps=tn.bayes_points) as optuna_spy:
        at.slider(key=tn.BUDGET_KEY).set_value(37).run()
        assert_clean(at)
        # the budget reads the first 37 trials of the cached Bayesian run: optuna does not run again
        assert surf_spy.call_count == 0 and search_spy.call_count == 1 and optuna_spy.call_count == 0
        assert f"{tn.BAYES}, best of 37" in metric_values(at)
        before, data_before = [without_scrub_starts(s) for s in chart_specs(at)], chart_datasets(at)
        with mock.patch.object(tn, "replay_tables", wraps=tn.replay_tables) as tables_spy:
            at.slider(key=tn.STEP_KEY).set_value(5).run()
            assert tables_spy.call_count == 0
        assert search_spy.call_count == 1
        m = metric_values(at)
        assert f"{tn.BAYES}, best of 5" in m and f"{tn.GRID}, best of 5" in m
        # the charts hold every step and follow the slider in the browser: a move changes only where their
        # parameter starts (in the browser, where the panel's fragment reruns alone, not even that)
        assert [without_scrub_starts(s) for s in chart_specs(at)] == before
        assert chart_datasets(at).keys() == data_before.keys()
        assert all(chart_datasets(at)[n].equals(data_before[n]) for n in data_before)
        assert {scrub_start(s, tn.STEP_KEY) for s in chart_specs(at)} == {5}
        sent = chart_datasets(at, at_position=5)
        assert sent[tchart.STEP_DATA]["trial"].tolist() == [5.0]
        drawn = sent[tchart.TRIALS_DATA]
        assert drawn["trial"].max() == 5 and set(drawn["strategy"]) == {tn.SHOW_DEFAULT}
    assert_clean(at)


def chart_datasets(at, at_position: float | None = None) -> dict[str, pd.DataFrame]:
    """Every named dataset the page's charts were sent, by name; ``at_position``: the replay's stacked
    datasets cut to the rows of that step (what the browser shows there)."""
    import pyarrow as pa

    from components import charts
    out = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for c in at.get("vega_lite_chart")
           for d in c.proto.datasets}
    if at_position is None:
        return out
    return {n: f[f[charts.SCRUB_COLUMN] == at_position].drop(columns=charts.SCRUB_COLUMN).reset_index(drop=True)
            if charts.SCRUB_COLUMN in f else f for n, f in out.items()}


@pytest.mark.parametrize("halving, show, budget", [(False, tn.BAYES, tn.BUDGET_DEFAULT), (True, tn.ALL, 13),
                                                   (True, tn.HALVING, tn.BUDGET_MAX), (False, tn.ALL, tn.BUDGET_MIN)])
@pytest.mark.parametrize("seed", [SEED, 7])
def test_the_replay_charts_hold_every_step_s_rows(cancer_xy, full_surface, halving, show, budget, seed):
    """At every value of the step slider (past the budget: the budget's) the replay charts hold the rows the
    page swapped in at that step before (replay_frames), the best-so-far lines of every trial, and follow
    the step slider over its whole range; on two seeds."""
    import pyarrow as pa

    from components import charts
    trials = tn.run_searches(full_surface, budget, seed)
    if halving:
        surfaces = {1.0: full_surface} | {f: full_surface for f in tn.RUNGS[:-1]}
        trials = pd.concat([trials.assign(**{"rows used": 1.0}), tn.run_halving(surfaces, budget, seed)],
                           ignore_index=True)
    with mock.patch.object(tn, "surface", return_value=full_surface):
        base = tn.replay_specs("breast_cancer", seed, 0, 0.0, halving, show)
    tables = tn.replay_tables(trials, show)
    specs = tn.replay_scrubbed(base, tables, budget)
    for name, spec in specs.items():
        param = next(p for p in spec["params"] if p["name"] == charts.scrub_param(tn.STEP_KEY))
        assert param["bind"] == {"input": "range", "min": tn.STEP_MIN, "max": tn.STEP_MAX, "step": 1}
        sent = {n: pa.ipc.open_stream(b).read_pandas() for n, b in spec["datasets"].items()}
        if tchart.LINES_DATA in sent:
            pd.testing.assert_frame_equal(sent[tchart.LINES_DATA], tables[1].reset_index(drop=True), check_dtype=False)
        moving = [n for n in (tchart.TRIALS_DATA, tchart.STEP_DATA) if n in sent]
        assert moving
        for step in range(tn.STEP_MIN, tn.STEP_MAX + 1):
            n = min(step, budget)
            old = tn.replay_frames(tables, n)
            expected_trials = trials if show == tn.ALL else trials[trials["strategy"] == show]
            for d in moving:
                frame = sent[d]
                rows = frame[frame[charts.SCRUB_COLUMN] == step].drop(columns=charts.SCRUB_COLUMN)
                pd.testing.assert_frame_equal(rows.reset_index(drop=True), old[d].reset_index(drop=True),
                                              check_dtype=False)
            if tchart.TRIALS_DATA in moving:  # independently: the trials of the strategy shown up to n
                frame = sent[tchart.TRIALS_DATA]
                assert (frame[charts.SCRUB_COLUMN] == step).sum() == int((expected_trials["trial"] <= n).sum())


@pytest.mark.parametrize("seed", [0, 7, SEED])
def test_the_first_trials_of_a_longer_bayesian_run_are_a_shorter_run(full_surface, seed):
    """The page runs optuna once at the largest budget and reads smaller budgets from its first trials."""
    long = tn.bayes_points(tn.BUDGET_MAX, seed, tn.surface_reader(full_surface))
    for budget in (tn.BUDGET_MIN, 13, tn.BUDGET_DEFAULT, 37):
        fresh = tn.run_searches(full_surface, budget, seed)
        pd.testing.assert_frame_equal(tn.run_searches(full_surface, budget, seed, bayes=long), fresh)
    with pytest.raises(ValueError):
        tn.run_searches(full_surface, 10, seed, bayes=long[:9])


@pytest.mark.parametrize("halving", [False, True])
@pytest.mark.parametrize("show", tn.SHOW_OPTIONS)
def test_a_replay_move_changes_only_the_named_datasets(cancer_xy, full_surface, show, halving):
    """The browser applies a change confined to named datasets in place; anything else re-embeds the chart.
    The strategies' colour, shape and dash scales have a fixed domain, so none changes as trials appear."""
    from components import charts
    trials = tn.run_searches(full_surface, 20, SEED)
    if halving:
        surfaces = {1.0: full_surface} | {f: full_surface for f in tn.RUNGS[:-1]}
        trials = pd.concat([trials.assign(**{"rows used": 1.0}), tn.run_halving(surfaces, 20, SEED)], ignore_index=True)
    with mock.patch.object(tn, "surface", return_value=full_surface):
        specs = tn.replay_specs("breast_cancer", SEED, 0, 0.0, halving, show)
    for name, spec in specs.items():
        tables = tn.replay_tables(trials, show)
        moves = [charts.with_datasets(spec, tn.replay_frames(tables, n)) for n in (1, 2, 7, 20)]
        frozen = [json.dumps({k: v for k, v in m.items() if k != "datasets"}, sort_keys=True) for m in moves]
        assert len(set(frozen)) == 1, name
        changed = {d for a, b in zip(moves, moves[1:]) for d in a["datasets"] if a["datasets"][d] != b["datasets"][d]}
        nothing_drawn = name == "surface" and show == tn.HALVING and not halving
        assert (bool(changed) or nothing_drawn) and changed <= set(tchart.MOVING), (name, changed)
        assert "params" not in spec and "param" not in json.dumps(spec.get("layer", []))
    surface_layers = specs["surface"]["layer"]
    drawn = tn.shown_strategies(show, halving)
    for enc in (surface_layers[1]["encoding"]["fill"], surface_layers[1]["encoding"]["shape"]):
        assert enc["scale"]["domain"] == list(drawn)
    assert surface_layers[1]["encoding"]["fill"]["scale"]["range"] == [tn.STRATEGY_COLOURS[s] for s in drawn]
    lines = specs["best"]["layer"][0]["encoding"]
    assert lines["color"]["scale"]["domain"] == lines["strokeDash"]["scale"]["domain"] == list(tn.STRATEGIES) + (
        [tn.HALVING] if halving else [])
    # what the moving datasets hold: the trials drawn up to n, the rule at n, every best-so-far line
    frames = tn.replay_frames(tn.replay_tables(trials, show), 7)
    drawn_trials = trials if show == tn.ALL else trials[trials["strategy"] == show]
    assert len(frames[tchart.TRIALS_DATA]) == int((drawn_trials["trial"] <= 7).sum())
    assert frames[tchart.STEP_DATA]["trial"].tolist() == [7.0] and len(frames[tchart.LINES_DATA]) == len(trials)


def test_url_sets_widgets_and_regression_works():
    at = open_page(PAGE, query={"tuning.budget": "9", "tuning.show": tn.GRID})
    assert_clean(at)
    assert at.slider(key=tn.BUDGET_KEY).value == 9
    assert at.selectbox(key=tn.SHOW_KEY).value == tn.GRID
    assert f"{tn.GRID}, best of 9" in metric_values(at)
    at = open_page(PAGE, query={"app.dataset": "diabetes"})
    assert_clean(at)
    assert 0 < float(metric_values(at)["Best on the full grid (100 settings)"]) < 1


def test_exported_script_matches(full_surface):
    code = tn.export_code(dataset_code("breast_cancer"), True, 20, SEED, halving=True)
    out = run_exported_script(code)
    trials = tn.run_searches(full_surface, 20, SEED)
    best = trials.groupby("strategy")["score"].max()
    assert out["surface_max"] == pytest.approx(full_surface["score"].max())
    assert out["grid"] == pytest.approx(best[tn.GRID])
    assert out["random"] == pytest.approx(best[tn.RANDOM])
    assert out["bayes"] == pytest.approx(best[tn.BAYES])
    ds = datasets.load("breast_cancer")
    X, y = tn.split_rows(ds.X, ds.y, True, SEED)[:2]
    surfaces = {1.0: full_surface}
    for f in (0.25, 0.5):
        surfaces[f] = tn.score_surface(*tn.fraction_rows(X, y, True, SEED, f), True, SEED)
    h = tn.run_halving(surfaces, 20, SEED)
    assert out["halving"] == pytest.approx(h.loc[h["rows used"] >= 1, "score"].max())
    checks = tn.check_winners(full_surface, pd.concat([trials.assign(**{"rows used": 1.0}), h], ignore_index=True),
                              X, y, *tn.split_rows(ds.X, ds.y, True, SEED)[2:], True, SEED).set_index("search")
    for key, search in (("surface_max", tn.FULL_GRID), ("grid", tn.GRID), ("random", tn.RANDOM),
                        ("bayes", tn.BAYES), ("halving", tn.HALVING)):
        assert out[key + "_true"] == pytest.approx(checks.loc[search, tn.TRUE_CV]), key
        assert out[key + "_test"] == pytest.approx(checks.loc[search, tn.TEST]), key


def test_exported_script_regression_without_halving():
    ds = datasets.load("diabetes")
    X, y = tn.split_rows(ds.X, ds.y, False, SEED)[:2]
    surf = tn.score_surface(X, y, False, SEED, resolution=4)
    out = run_exported_script(tn.export_code(dataset_code("diabetes"), False, 6, SEED, resolution=4))
    assert out["surface_max"] == pytest.approx(surf["score"].max())
    assert "halving" not in out


def test_optuna_and_imblearn_are_not_imported_at_start_up():
    code = ("import sys\nfrom tests.apptest_utils import open_page\nat = open_page()\n"
            "assert not at.exception\n"
            "print(sorted(m for m in ('optuna', 'imblearn') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("budget", [4, 5, 20, 60])
def test_halving_spends_at_most_the_budget(budget):
    sizes = tn.halving_sizes(budget)
    cost = sum(n * f for n, f in zip(sizes, tn.RUNGS))
    assert cost <= budget
    assert all(a >= b for a, b in zip(sizes, sizes[1:])) and sizes[-1] >= 1
    bigger = [max(1, -(-(sizes[0] + 1) // 2 ** r)) for r in range(len(tn.RUNGS))]
    assert sum(n * f for n, f in zip(bigger, tn.RUNGS)) > budget  # the largest start that fits


def test_halving_promotes_the_best_half_and_counts_full_data_scores_only(cancer_xy, full_surface):
    X, y = cancer_xy
    surfaces = {1.0: full_surface}
    for f in (0.25, 0.5):
        surfaces[f] = tn.score_surface(*tn.fraction_rows(X, y, True, SEED, f), True, SEED)
    h = tn.run_halving(surfaces, 20, SEED)
    sizes = tn.halving_sizes(20)
    assert h.groupby("rung").size().tolist() == sizes
    assert h["trial"].iloc[-1] == pytest.approx(sum(n * f for n, f in zip(sizes, tn.RUNGS)))
    for r in (1, 2):
        prev, nxt = h[h["rung"] == r], h[h["rung"] == r + 1]
        top = prev.nlargest(len(nxt), "score", keep="first")[["log10 C", "log10 gamma"]].to_numpy()
        assert {tuple(p) for p in top} == {tuple(p) for p in nxt[["log10 C", "log10 gamma"]].to_numpy()}
    assert h.loc[h["rung"] < 3, "best so far"].isna().all()
    full = h[h["rung"] == 3]
    interp = tn.interpolator(full_surface)
    np.testing.assert_allclose(full["score"], interp(full[["log10 C", "log10 gamma"]].to_numpy()))
    assert full["best so far"].iloc[-1] == pytest.approx(full["score"].max())
    # fewer rows: the cheap surfaces are different measurements, not copies
    assert not np.allclose(surfaces[0.25]["score"], full_surface["score"])


def test_halving_toggle_on_the_page():
    at = open_page(PAGE, query={"tuning.halving": "true", "tuning.show": tn.HALVING})
    assert_clean(at)
    assert tn.BUDGET_DEFAULT == 20  # 26 candidates on 1/4 of the rows, 13 on 1/2, 7 on all: 6.5 + 6.5 + 7 = 20
    assert f"{tn.HALVING}: 26 candidates, 46 evaluations, 7 on all rows" in metric_values(at)
    at.slider(key=tn.STEP_KEY).set_value(10).run()  # 10 full-data fits spent: rung 1 (6.5) and 7 of rung 2
    assert f"{tn.HALVING}: 26 candidates, 33 evaluations, 0 on all rows" in metric_values(at)


@pytest.mark.parametrize("name", ["breast_cancer", "moons"])
def test_the_halving_label_counts_candidates_and_evaluations_apart(name):
    """A promoted candidate is evaluated again: the label's candidates are the distinct (C, gamma) pairs
    drawn so far, its evaluations every score computed (on any rung), checked over seeds, budgets and
    replay steps against counts made here."""
    ds = datasets.load(name, n_samples=120, noise=0.3, seed=SEED)
    clf = ds.task == datasets.CLASSIFICATION
    X, y = tn.split_rows(ds.X, ds.y, clf, SEED)[:2]
    surfaces = {f: tn.score_surface(*tn.fraction_rows(X, y, clf, SEED, f), clf, SEED, resolution=4) for f in tn.RUNGS}
    for seed in (0, 1, 2):
        for budget in (4, 20, 60):
            h = tn.run_halving(surfaces, budget, seed)
            for step in (1, budget // 2, budget):
                part = h[h["trial"] <= step]
                pairs = {(round(c, 12), round(g, 12)) for c, g in zip(part["log10 C"], part["log10 gamma"])}
                on_all = int(np.sum(part["rows used"].to_numpy() == 1.0))
                candidates, evaluations, per_rung = tn.halving_counts(part)
                assert (candidates, evaluations) == (len(pairs), len(part))
                assert per_rung == [int(np.sum(part["rung"].to_numpy() == r)) for r in (1, 2, 3)]
                label = tn.halving_label(candidates, evaluations, on_all)
                assert label.startswith(f"{tn.HALVING}: {len(pairs)} candidate")
                assert f", {len(part)} evaluation" in label and label.endswith(f", {on_all} on all rows")
            # every candidate is drawn in rung 1; the promoted ones are evaluated again, so at the end of a
            # run that reached rung 2 the evaluations outnumber the candidates
            n0 = 1
            while 0.25 * (n0 + 1) + 0.5 * -(-(n0 + 1) // 2) + -(-(n0 + 1) // 4) <= budget:
                n0 += 1
            candidates, evaluations, _ = tn.halving_counts(h)
            assert candidates == n0 and evaluations == n0 + -(-n0 // 2) + -(-n0 // 4) > candidates
    assert tn.halving_label(1, 1, 0) == f"{tn.HALVING}: 1 candidate, 1 evaluation, 0 on all rows"


@pytest.mark.parametrize("name", datasets.NAMES)
def test_halving_rungs_work_on_every_dataset(name):
    ds = datasets.load(name, n_samples=50, noise=0.3, seed=SEED)  # the smallest 2-D sets the sidebar allows
    clf = ds.task == datasets.CLASSIFICATION
    X, y = tn.split_rows(ds.X, ds.y, clf, SEED)[:2]
    Xs, ys = tn.fraction_rows(X, y, clf, SEED, tn.RUNGS[0])
    assert len(ys) >= 12
    surf = tn.score_surface(Xs, ys, clf, SEED, resolution=2)
    assert np.isfinite(surf["score"]).all()


def test_the_page_charts_validate_against_the_vega_lite_schema(full_surface):
    """The page builds its cached specs with validate=False (speed); validate the same builders here."""
    from components import charts
    for label, halving in ((False, False), (True, True)):
        charts.surface_chart(full_surface, "log10 C", "log10 gamma", "score", strategies=tn.STRATEGIES,
                             colours=[tn.STRATEGY_COLOURS[s] for s in tn.STRATEGIES], label=label, halving=halving,
                             value_domain=(0.5, 1.0)).to_dict(validate=True)
    charts.best_so_far_chart(strategies=tn.STRATEGIES, colours=["#000000"] * 3).to_dict(validate=True)


def test_the_page_says_where_the_grid_reads_exact_surface_points(full_surface):
    """4 x 4 (budget 16-24) and 2 x 2 lattices fall on the 10 x 10 surface's points; 3 x 3 does not."""
    axis = tn.axes(tn.RESOLUTION)[0]
    for budget, on in ((16, True), (4, True), (9, False), (25, False)):
        on_axis = np.isclose(tn.grid_points(budget)[:, 0][:, None], axis[None, :]).any(axis=1).all()
        assert tn.grid_on_surface(budget) == on == on_axis, budget
    at = open_page(PAGE, query={tn.BUDGET_KEY: "16"})
    assert "so all its trials read exact scores" in " ".join(m.value for m in at.markdown)
    at = open_page(PAGE, query={tn.BUDGET_KEY: "12"})
    text = " ".join(m.value for m in at.markdown)
    assert "so all its trials read exact scores" not in text and "favours grid search" not in text


def test_split_rows_locks_a_test_set_away_first():
    ds = datasets.load("breast_cancer")
    X_dev, y_dev, X_test, y_test = tn.split_rows(ds.X, ds.y, True, SEED)
    assert len(y_test) == int(np.ceil(tn.TEST_SHARE * len(ds.y))) and len(y_dev) == tn.MAX_ROWS
    dev_rows = {tuple(r) for r in X_dev}
    assert not any(tuple(r) in dev_rows for r in X_test)  # no test row is ever searched on
    assert abs(y_test.mean() - np.asarray(ds.y).mean()) < 0.01  # stratified
    small = datasets.load("iris")
    X_dev, y_dev, X_test, y_test = tn.split_rows(small.X, small.y, True, SEED)
    assert len(y_dev) + len(y_test) == len(small.y)


def _independent_checks(surface, trials, X_dev, y_dev, X_test, y_test, clf, seed, memo):
    """Each winner's true CV score and test score (with its standard error), by scikit-learn directly
    (memo: a setting already checked at another budget)."""
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.svm import SVR
    best = surface.loc[surface["score"].idxmax()]
    points = {tn.FULL_GRID: (best["log10 C"], best["log10 gamma"], best["score"])}
    for strat, part in trials.groupby("strategy", sort=False):
        top = part.loc[part["score"].idxmax()]
        points[strat] = (top["log10 C"], top["log10 gamma"], top["score"])
    out = {}
    for name, (c, g, read) in points.items():
        if (c, g) in memo:
            out[name] = dict(memo[c, g], read=read)
            continue
        est = (SVC if clf else SVR)(C=10.0 ** c, gamma=10.0 ** g)
        model = make_pipeline(StandardScaler(), est)
        cv = (StratifiedKFold if clf else KFold)(3, shuffle=True, random_state=seed)
        true = cross_val_score(model, X_dev, y_dev, cv=cv).mean()
        pred = model.fit(X_dev, y_dev).predict(X_test)
        if clf:
            test = np.mean(pred == y_test)
            se = np.sqrt(test * (1 - test) / len(y_test))
        else:
            test = r2_score(y_test, pred)
            idx = np.random.default_rng(seed).integers(0, len(y_test), (1000, len(y_test)))
            se = np.std([r2_score(y_test[i], pred[i]) for i in idx], ddof=1)
        out[name] = memo[c, g] = dict(read=read, true=true, test=test, se=se)
    return out


@pytest.mark.parametrize("name,seed", [("breast_cancer", 0), ("breast_cancer", 4), ("breast_cancer", SEED),
                                       ("diabetes", 4), ("diabetes", 7), ("diabetes", SEED)])
def test_winners_checked_and_every_sentence_true(name, seed):
    """The replay's reading of each winner against its true CV score (both directions occur), the test
    scores, and each comparison the two sentences state, over three seeds of two datasets."""
    ds = datasets.load(name)
    clf = ds.task == datasets.CLASSIFICATION
    X_dev, y_dev, X_test, y_test = tn.split_rows(ds.X, ds.y, clf, seed)
    surf = tn.score_surface(X_dev, y_dev, clf, seed)
    memo = {}
    for budget in (12, 20):
        trials = tn.run_searches(surf, budget, seed)
        checks = tn.check_winners(surf, trials, X_dev, y_dev, X_test, y_test, clf, seed)
        mine = _independent_checks(surf, trials, X_dev, y_dev, X_test, y_test, clf, seed, memo)
        got = checks.set_index("search")
        for search, want in mine.items():
            assert got.loc[search, tn.REPLAYED] == pytest.approx(want["read"])
            assert got.loc[search, tn.TRUE_CV] == pytest.approx(want["true"])
            assert got.loc[search, tn.TEST] == pytest.approx(want["test"])
            assert got.loc[search, tn.TEST_SE] == pytest.approx(want["se"])
        text = tn.interpolation_sentence(checks, budget)
        for search in tn.STRATEGIES:
            w = mine[search]
            diff = w["read"] - w["true"]
            stated = text.split(f"{search} read {w['read']:.4f}, truly {w['true']:.4f} (")[1].split(")")[0]
            if got.loc[search, tn.EXACT]:
                assert stated == "a surface point, read exactly" and abs(diff) < 1e-12
            elif round(diff, 4) == 0:
                assert stated == "the same to four decimals"
            else:
                assert stated == f"the replay {'flattered' if diff > 0 else 'understated'} it by {abs(diff):.4f}"
        for col, label in (("read", "Best by the replay: "), ("true", "by true CV: "), ("test", "on the test set: ")):
            vals = {s_: round(mine[s_][col], 4) for s_ in tn.STRATEGIES}
            leaders = [s_ for s_ in tn.STRATEGIES if vals[s_] == max(vals.values())]
            named = text.split(label)[1].split(";")[0].rstrip(".")
            assert all(s_ in named for s_ in leaders) and ("(tied)" in named) == (len(leaders) > 1), (label, named)
        g = mine[tn.FULL_GRID]
        grid_text = tn.grid_max_sentence(checks, len(surf), len(y_test))
        assert f"The full grid's best, {g['true']:.3f}, is the largest of {len(surf)} cross-validated" in grid_text
        assert "biased upwards" in grid_text and f"that setting scores {g['test']:.3f}" in grid_text
        gap = g["test"] - g["true"]
        if round(gap, 3) != 0:
            k = round(abs(gap) / g["se"], 1)
            assert f"{abs(gap):.3f} {'lower' if gap < 0 else 'higher'} than its CV score, {k:.1f} standard" in grid_text
            assert ("within the test set's noise" in grid_text) == (k <= 2.0)


def test_page_shows_the_checked_winners_and_names_successive_halving_rightly(cancer_split, full_surface):
    at = open_page(PAGE, query={tn.BUDGET_KEY: "12"})
    assert_clean(at)
    trials = tn.run_searches(full_surface, 12, SEED)
    checks = tn.check_winners(full_surface, trials, *cancer_split, True, SEED)
    texts = [m.value for m in at.markdown]
    assert tn.interpolation_sentence(checks, 12) in texts
    assert tn.grid_max_sentence(checks, len(full_surface), len(cancer_split[3])) in texts
    table = next(df.value for df in at.dataframe if tn.TRUE_CV in df.value.columns)
    np.testing.assert_allclose(table[tn.TEST].to_numpy(), checks[tn.TEST].to_numpy())
    page = " ".join(texts)
    assert "successive halving (Hyperband)" not in page and "several successive-halving brackets" in page
