"""Tuning lab: the surface against GridSearchCV, the three searches' bookkeeping, the page via AppTest."""
from __future__ import annotations

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
from components.code_export import dataset_code
from tests.apptest_utils import ROOT, assert_clean, chart_specs, metric_values, open_page, run_exported_script

PAGE = "views/evaluation/tuning.py"
SEED = 42


@pytest.fixture(scope="module")
def cancer_xy():
    ds = datasets.load("breast_cancer")
    return tn.subsample(ds.X, ds.y, True, SEED)


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
            mock.patch.object(tn, "run_searches", wraps=tn.run_searches) as search_spy:
        at.slider(key=tn.BUDGET_KEY).set_value(37).run()
        assert_clean(at)
        assert surf_spy.call_count == 0 and search_spy.call_count == 1
        assert f"{tn.BAYES}, best of 37" in metric_values(at)
        at.slider(key=tn.STEP_KEY).set_value(5).run()
        assert search_spy.call_count == 1
        m = metric_values(at)
        assert f"{tn.BAYES}, best of 5" in m and f"{tn.GRID}, best of 5" in m
        steps = [p["value"] for spec in chart_specs(at) for p in spec.get("params", []) if p.get("name") == "step"]
        assert steps == [5, 5]  # both charts replay by a parameter swap, not a rebuild
    assert_clean(at)


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
    X, y = tn.subsample(ds.X, ds.y, True, SEED)
    surfaces = {1.0: full_surface}
    for f in (0.25, 0.5):
        surfaces[f] = tn.score_surface(*tn.fraction_rows(X, y, True, SEED, f), True, SEED)
    h = tn.run_halving(surfaces, 20, SEED)
    assert out["halving"] == pytest.approx(h.loc[h["rows used"] >= 1, "score"].max())


def test_exported_script_regression_without_halving():
    ds = datasets.load("diabetes")
    X, y = tn.subsample(ds.X, ds.y, False, SEED)
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
    sizes = tn.halving_sizes(tn.BUDGET_DEFAULT)
    label = f"{tn.HALVING}, {sum(sizes)} tried, {sizes[-1]} on all rows"
    assert label in metric_values(at)


@pytest.mark.parametrize("name", datasets.NAMES)
def test_halving_rungs_work_on_every_dataset(name):
    ds = datasets.load(name, n_samples=50, noise=0.3, seed=SEED)  # the smallest 2-D sets the sidebar allows
    clf = ds.task == datasets.CLASSIFICATION
    X, y = tn.subsample(ds.X, ds.y, clf, SEED)
    Xs, ys = tn.fraction_rows(X, y, clf, SEED, tn.RUNGS[0])
    assert len(ys) >= 12
    surf = tn.score_surface(Xs, ys, clf, SEED, resolution=2)
    assert np.isfinite(surf["score"]).all()


def test_the_page_charts_validate_against_the_vega_lite_schema(full_surface):
    """The page builds its cached specs with validate=False (speed); validate the same builders here."""
    from components import charts
    trials = tn.run_searches(full_surface, 10, SEED)
    for label in (None, "trial"):
        charts.surface_chart(full_surface, "log10 C", "log10 gamma", "score", trials=trials, color="strategy",
                             label=label, value_domain=(0.5, 1.0), step=10).to_dict(validate=True)
    charts.best_so_far_chart(trials, 10).to_dict(validate=True)


def test_the_page_flags_the_budgets_where_the_grid_reads_exact_surface_points(full_surface):
    """4 x 4 (budget 16-24) and 2 x 2 lattices fall on the 10 x 10 surface's points; 3 x 3 does not."""
    axis = tn.axes(tn.RESOLUTION)[0]
    for budget, on in ((16, True), (4, True), (9, False), (25, False)):
        on_axis = np.isclose(tn.grid_points(budget)[:, 0][:, None], axis[None, :]).any(axis=1).all()
        assert tn.grid_on_surface(budget) == on == on_axis, budget
    at = open_page(PAGE, query={tn.BUDGET_KEY: "16"})
    assert "reads exact scores" in " ".join(c.value for c in at.caption)
    at = open_page(PAGE, query={tn.BUDGET_KEY: "12"})
    assert "reads exact scores" not in " ".join(c.value for c in at.caption)
