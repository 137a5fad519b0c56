"""Overfitting lab: component numbers against direct numpy / scikit-learn computations, the page's
controls and caching, the URL and the exported script."""
import json
from contextlib import ExitStack, contextmanager
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.tree import DecisionTreeClassifier

from components import datasets
from components import overfitting as o
from components.ui import common
from tests.apptest_utils import (
    assert_clean,
    chart_specs,
    metric_values,
    open_page,
    run_exported_script,
)
from tests.chart_utils import scrub_start, without_scrub_starts

PAGE = "views/evaluation/overfitting.py"
VIEW_KEY = o.VIEW_KEY
SEED = 42


def test_make_data_is_seeded_sine():
    a, b = o.make_data(50, 0.0, 3), o.make_data(50, 0.0, 3)
    assert a.equals(b)
    np.testing.assert_allclose(a["y"], np.sin(2 * np.pi * a["x"]))


@pytest.mark.parametrize("degree", [1, 3, 6])
def test_poly_fit_and_cv_match_numpy_polyfit(degree):
    n, noise = 40, 0.3
    r = o.fit_poly(n, noise, SEED, degree, "none", 1.0)
    d = o.make_data(n, noise, SEED)
    coef = np.polyfit(d["x"], d["y"], degree)
    assert r.train_rmse == pytest.approx(np.sqrt(np.mean((np.polyval(coef, d["x"]) - d["y"]) ** 2)), rel=1e-6)
    fold_rmse = []
    for tr, te in KFold(5, shuffle=True, random_state=SEED).split(d):
        c = np.polyfit(d["x"].iloc[tr], d["y"].iloc[tr], degree)
        fold_rmse.append(np.sqrt(np.mean((np.polyval(c, d["x"].iloc[te]) - d["y"].iloc[te]) ** 2)))
    assert r.cv_rmse == pytest.approx(np.mean(fold_rmse), rel=1e-5)
    assert len(r.curve_by_degree) == o.DEGREE_MAX - o.DEGREE_MIN + 1


def test_one_se_rule_picks_one_model():
    mean = np.array([5.0, 3.0, 2.1, 2.0, 2.05, 4.0, 8.0])
    se = np.full(7, 0.15)
    rule = o.one_se_rule(mean, se)
    assert (rule.best, rule.pick, rule.edge) == (3, 2, pytest.approx(2.15))
    assert rule.band.tolist() == [False, False, True, True, True, False, False]
    # against a regularisation strength a larger index is simpler: the band's largest index
    assert o.one_se_rule(mean, se, complexity_increases=False).pick == 4
    # higher-is-better scores (accuracies): the edge is the best minus its standard error
    acc = o.one_se_rule(-mean, se, lower_is_better=False)
    assert (acc.best, acc.pick, acc.edge) == (3, 2, pytest.approx(-2.15))


def test_labels_on_the_sine():
    assert o.fit_poly(30, 0.3, SEED, 1, "none", 1.0).reading.verdict.label == o.UNDER
    assert o.fit_poly(30, 0.3, SEED, 3, "none", 1.0).reading.verdict.label == o.GOOD
    assert o.fit_poly(30, 0.3, SEED, 15, "none", 1.0).reading.verdict.label == o.OVER


def test_seed_8_straight_line_is_not_a_good_fit():
    """With seed 8 (30 points, noise 0.3) the CV error's standard error is wide enough that the
    one-standard-error rule picks degree 1; a straight line through sin(2 pi x) still leaves bias, and the
    page says so without calling its own pick under-fit (nor a good fit)."""
    r = o.fit_poly(30, 0.3, 8, 1, "none", 1.0)
    assert r.pick_degree == 1 and r.best_degree == 3
    assert r.reading.verdict.label == o.PICKED and r.reading.pick_verdict.label == o.PICKED
    assert "some bias" in r.reading.verdict.sentence
    assert "picks degree 1" in r.reading.pick_text and "still sees bias in degree 1" in r.reading.pick_text
    at = open_page(PAGE, query={common.SEED_KEY: "8", o.DEGREE_KEY: "1"})
    assert_clean(at)
    assert metric_values(at)["Degree 1 is"] == o.PICKED and metric_values(at)["One-SE pick"] == "degree 1"
    assert any(r.reading.verdict.sentence in md.value for md in at.markdown)


def test_coefficient_paths_shrink():
    ridge, by_alpha = o.coefficient_path(30, 0.3, SEED, 9, "ridge (L2)")
    norms = ridge.groupby("alpha")["coefficient"].apply(lambda c: float(np.sum(c ** 2)))
    assert norms.iloc[-1] < norms.iloc[0]
    lasso, _ = o.coefficient_path(30, 0.3, SEED, 9, "lasso (L1)")
    zeros = lasso.groupby("alpha")["coefficient"].apply(lambda c: int((c.abs() < 1e-12).sum()))
    assert zeros.iloc[-1] > zeros.iloc[0]
    assert list(by_alpha["alpha"]) == list(o.ALPHAS)


def test_tree_curves_match_direct_fit():
    ds = datasets.load("breast_cancer")
    r = o.tree_curves(ds.X, ds.y, SEED, 4, 0.01)
    X_tr, X_te, y_tr, y_te = train_test_split(ds.X, ds.y, test_size=0.3, random_state=SEED, stratify=ds.y)
    t = DecisionTreeClassifier(max_depth=4, ccp_alpha=0.01, random_state=SEED).fit(X_tr, y_tr)
    assert r.test_accuracy == pytest.approx(np.mean(t.predict(X_te) == y_te))
    assert r.leaves == t.get_n_leaves()
    deep = r.by_depth[(r.by_depth["split"] == "train") & (r.by_depth["max_depth"] == 20)]["accuracy"].iloc[0]
    assert deep >= r.by_depth[(r.by_depth["split"] == "train") & (r.by_depth["max_depth"] == 1)]["accuracy"].iloc[0]
    assert r.reading_depth.verdict.label in o.TREE_LABELS and r.reading_ccp.verdict.label in o.TREE_LABELS


@pytest.mark.parametrize("name, seed, ccp", [("breast_cancer", SEED, 0.0), ("wine", 3, 0.0), ("moons", 5, 0.0),
                                             ("breast_cancer", SEED, 0.005)])
def test_tree_depth_curve_equals_a_fit_at_every_depth(name, seed, ccp):
    """The curve reuses a tree that stopped growing before its depth limit for every larger limit: each
    depth's scores must still be what a fresh tree at that depth gives."""
    ds = datasets.load(name, seed=seed)
    curve = o.tree_depth_curve(ds.X, ds.y, seed, ccp)
    X_tr, X_te, y_tr, y_te = train_test_split(ds.X, ds.y, test_size=0.3, random_state=seed, stratify=ds.y)
    folds = StratifiedKFold(o.TREE_CV_FOLDS, shuffle=True, random_state=seed)
    for d in range(o.TREE_DEPTH_MIN, o.TREE_DEPTH_MAX + 1):
        t = DecisionTreeClassifier(max_depth=d, ccp_alpha=ccp, random_state=seed).fit(X_tr, y_tr)
        at_d = curve[curve["max_depth"] == d].set_index("split")
        assert at_d.loc[o.TRAIN, "accuracy"] == np.mean(t.predict(X_tr) == y_tr)
        assert at_d.loc[o.TEST, "accuracy"] == np.mean(t.predict(X_te) == y_te)
        cv = cross_val_score(DecisionTreeClassifier(max_depth=d, ccp_alpha=ccp, random_state=seed), X_tr, y_tr,
                             cv=folds)  # the label's folds: inside the training split only
        assert at_d.loc[o.CV, "accuracy"] == pytest.approx(cv.mean(), abs=1e-12)
        assert at_d.loc[o.CV, "se"] == pytest.approx(cv.std(ddof=1) / np.sqrt(o.TREE_CV_FOLDS), abs=1e-12)


def test_tree_ccp_curve_cv_equals_cross_val_score():
    ds = datasets.load("breast_cancer")
    curve = o.tree_ccp_curve(ds.X, ds.y, SEED, 6).query("split == @o.CV")
    X_tr, _, y_tr, _ = train_test_split(ds.X, ds.y, test_size=0.3, random_state=SEED, stratify=ds.y)
    folds = StratifiedKFold(o.TREE_CV_FOLDS, shuffle=True, random_state=SEED)
    want = [cross_val_score(DecisionTreeClassifier(max_depth=6, ccp_alpha=a, random_state=SEED), X_tr, y_tr,
                            cv=folds).mean() for a in o.CCP_VALUES]
    np.testing.assert_allclose(curve["accuracy"], want, rtol=0, atol=1e-12)


def test_tree_labels_come_from_cv_on_the_training_split():
    """On breast_cancer a full-depth tree is over-fit and a stump under-fit by the CV one-SE band and the
    train/CV gap (with the test accuracy's binomial error every depth had been 'good fit')."""
    ds = datasets.load("breast_cancer")
    labels = {d: o.tree_curves(ds.X, ds.y, SEED, d, 0.0).reading_depth.verdict.label for d in (1, 20)}
    assert labels == {1: o.UNDER, 20: o.OVER}


@pytest.mark.parametrize("name, seed", [("breast_cancer", SEED), ("wine", 3), ("moons", 5)])
def test_tree_one_se_picks_against_cross_val_score(name, seed):
    """The rule's pick, computed here from cross_val_score: the shallowest depth (the largest ccp_alpha)
    whose mean CV accuracy is no lower than the best minus the best's standard error."""
    ds = datasets.load(name, seed=seed)
    X_tr, _, y_tr, _ = train_test_split(ds.X, ds.y, test_size=0.3, random_state=seed, stratify=ds.y)
    folds = StratifiedKFold(o.TREE_CV_FOLDS, shuffle=True, random_state=seed)

    def pick(settings, make):
        scores = np.array([cross_val_score(make(v), X_tr, y_tr, cv=folds) for v in settings])
        mean, se = scores.mean(axis=1), scores.std(axis=1, ddof=1) / np.sqrt(o.TREE_CV_FOLDS)
        best = max(range(len(settings)), key=lambda i: (mean[i], -i))  # the first of equal bests
        return [v for v, m in zip(settings, mean) if m >= mean[best] - se[best] - 1e-12], settings[best]

    r = o.tree_curves(ds.X, ds.y, seed, 6, 0.0)
    band, best = pick(list(range(1, 21)), lambda d: DecisionTreeClassifier(max_depth=d, random_state=seed))
    assert (r.pick_depth, r.best_depth) == (min(band), best)
    band, best = pick(list(o.CCP_VALUES), lambda a: DecisionTreeClassifier(max_depth=6, ccp_alpha=a, random_state=seed))
    assert (r.pick_ccp, r.best_ccp) == (max(band), best)


def test_early_stopping_uses_sklearns_own_split_and_stop():
    r = o.early_stopping(0.3, SEED, 0.5, 5)
    pool = o.make_data(o.POOL_N, 0.3, SEED + 1)
    X_tr, X_te, y_tr, y_te = train_test_split(pool[["x"]].to_numpy(), pool["y"].to_numpy(), test_size=0.3,
                                              random_state=SEED)
    gb = GradientBoostingRegressor(n_estimators=o.GB_STAGES, learning_rate=0.5, max_depth=3, random_state=SEED,
                                   n_iter_no_change=5, validation_fraction=o.GB_VALIDATION_FRACTION).fit(X_tr, y_tr)
    assert r.stopped_at == gb.n_estimators_ < o.GB_STAGES
    # the curve's training loss is the early-stopped model's own training loss: same rows held out
    train_curve = r.losses[r.losses["split"] == "train"]["mse"].to_numpy()[: r.stopped_at]
    np.testing.assert_allclose(train_curve, gb.train_score_, rtol=1e-9)
    assert r.test_mse_stopped == pytest.approx(np.mean((gb.predict(X_te) - y_te) ** 2))


def fresh_sets(n, noise, seed, sets):
    """The page's B training sets, drawn here independently: set b from numpy's generator seeded by
    SeedSequence(seed).spawn(sets)[b] draws its x, its training noise, then test noise at the test x."""
    test_x = (np.arange(100) + 0.5) / 100
    out = []
    for child in np.random.SeedSequence(seed).spawn(sets):
        rng = np.random.default_rng(child)
        x = rng.uniform(0, 1, n)
        y = np.sin(2 * np.pi * x) + rng.normal(0, noise, n)
        out.append((x, y, np.sin(2 * np.pi * test_x) + rng.normal(0, noise, test_x.size)))
    return test_x, out


def sklearn_pipeline(degree, penalty, alpha):
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler
    reg = {"none": LinearRegression(tol=1e-12), "ridge (L2)": Ridge(alpha=alpha),
           "lasso (L1)": Lasso(alpha=alpha, max_iter=5000)}[penalty]
    return make_pipeline(MinMaxScaler(feature_range=(-1, 1)), PolynomialFeatures(degree, include_bias=False),
                         StandardScaler(), reg)


def direct_decomposition(fits, truth, targets, noise):
    """Bias^2 (the squared gap of the average fit, minus variance / B), variance (ddof=1), their sum with the
    noise, the measured test MSE and the jackknife standard error of bias^2 by explicit leave-one-out."""
    sets = len(fits)

    def bias2(f):
        return np.mean((f.mean(axis=0) - truth) ** 2 - f.var(axis=0, ddof=1) / len(f))

    variance = np.mean(fits.var(axis=0, ddof=1))
    loo = np.array([bias2(np.delete(fits, b, axis=0)) for b in range(sets)])
    return {"bias2": bias2(fits), "variance": variance, "total": bias2(fits) + variance + noise ** 2,
            "test_mse": np.mean((targets - fits) ** 2),
            "bias2_se": np.sqrt((sets - 1) / sets * np.sum((loo - loo.mean()) ** 2)), "loo": loo}


@pytest.mark.parametrize("n, noise, seed, penalty, alpha, degrees", [
    (30, 0.3, SEED, "none", 1.0, (1, 3, 9)),
    (200, 0.6, 3, "none", 1.0, (2, 12)),
    (10, 0.3, 8, "none", 1.0, (3, 12)),  # 10 points, degree 12: the minimum-norm least-squares fit
    (25, 0.3, SEED, "ridge (L2)", 0.01, (4, 9)),
    (40, 0.3, 5, "lasso (L1)", 0.01, (3, 11)),
])
def test_bias_variance_against_fresh_training_sets_fitted_here(n, noise, seed, penalty, alpha, degrees):
    """Every number of the decomposition against fits made here on independently drawn training sets: numpy's
    least-squares polynomial (its own basis and scaling) where the fit has full rank, else the scikit-learn
    pipeline fitted set by set."""
    bv = o.bias_variance(n, noise, seed, penalty, alpha)
    sets = o.BV_SETS_LASSO if penalty.startswith("lasso") else o.BV_SETS
    assert bv.sets == sets
    test_x, draws = fresh_sets(n, noise, seed, sets)
    truth = np.sin(2 * np.pi * test_x)
    targets = np.array([t for _, _, t in draws])
    for d in degrees:
        if penalty == "none" and d < n - 1:
            fits = np.array([np.polynomial.Polynomial.fit(x, y, d)(test_x) for x, y, _ in draws])
        else:
            fits = np.array([sklearn_pipeline(d, penalty, alpha).fit(x[:, None], y).predict(test_x[:, None])
                             for x, y, _ in draws])
        want = direct_decomposition(fits, truth, targets, noise)
        row = bv.table.iloc[d - 1]
        scale = want["total"]  # a rank-deficient fit agrees to rounding of its largest values only
        for key in ("bias2", "variance", "total", "test_mse", "bias2_se"):
            assert row[key] == pytest.approx(want[key], rel=1e-6, abs=1e-9 * scale), (d, key)
        assert row["noise"] == noise ** 2
        np.testing.assert_allclose(bv.bias2_loo[d - 1], want["loo"], rtol=1e-6, atol=1e-9 * scale)
        np.testing.assert_allclose(bv.curves[d].query("line == 'average'")["y"], fits.mean(axis=0),
                                   rtol=1e-6, atol=1e-9 * np.abs(fits).max())
        np.testing.assert_allclose(bv.curves[d].query("line != 'average'")["y"], fits[: o.CURVES_SHOWN].ravel(),
                                   rtol=1e-6, atol=1e-9 * np.abs(fits).max())


@pytest.mark.parametrize("seed", [SEED, 0, 7])
def test_bias2_at_200_points_degree_12_is_zero_within_monte_carlo_error(seed):
    """At 200 points, noise 0.3, degree 12 a least-squares polynomial has (next to) no bias: the fit's
    expectation is the same fit of the noise-free curve (least squares is linear in y), which misses
    sin(2 pi x) by about 1e-10 here. The page's bias^2 must be within its Monte Carlo error of that, and far
    below the 0.0095 (the variance of one training set's fit, booked as bias^2) of bootstrap refits of one set."""
    bv = o.bias_variance(200, 0.3, seed, "none", 1.0)
    row = bv.table.iloc[11]
    test_x, draws = fresh_sets(200, 0.3, seed, o.BV_SETS)
    noise_free = np.array([np.polynomial.Polynomial.fit(x, np.sin(2 * np.pi * x), 12)(test_x) for x, _, _ in draws])
    true_bias2 = np.mean((noise_free.mean(axis=0) - np.sin(2 * np.pi * test_x)) ** 2)
    assert true_bias2 < 1e-8
    assert abs(row["bias2"] - true_bias2) <= 3 * row["bias2_se"]
    assert abs(row["bias2"]) < 2e-4 and row["bias2_se"] < 1e-4
    assert row["variance"] > 30 * abs(row["bias2"])


@pytest.mark.parametrize("n, noise, seed, penalty, alpha", [
    (30, 0.3, SEED, "none", 1.0), (60, 1.0, 3, "ridge (L2)", 0.1), (15, 0.1, 8, "none", 1.0),
    (30, 0.3, 1, "lasso (L1)", 0.001)])
def test_decomposition_identity(n, noise, seed, penalty, alpha):
    """Bias^2 + variance + noise is the expected test MSE: exactly the mean over the training sets of each
    fit's own expected error, and, up to the test points' noise, the MSE measured on fresh noisy targets."""
    bv = o.bias_variance(n, noise, seed, penalty, alpha)
    t = bv.table
    np.testing.assert_allclose(t["total"], t["bias2"] + t["variance"] + t["noise"], rtol=1e-12)
    np.testing.assert_allclose(t["total"], bv.per_fit.mean(axis=1), rtol=1e-9)
    z = (t["test_mse"] - t["total"]) / t["test_se"]
    assert (z.abs() < 4).all(), z.round(2).tolist()
    assert (z.abs() < 2).mean() >= 0.7  # about 95 % expected: the degrees share their test noise


def test_bias_variance_shapes():
    t = o.bias_variance(25, 0.3, SEED, "none", 1.0).table
    assert t["bias2"].iloc[0] > t["variance"].iloc[0]  # degree 1: bias dominates
    assert t["variance"].iloc[-1] > 100 * t["variance"].iloc[2]  # degree 15 on 25 points: variance explodes
    assert o.bv_verdict(o.bias_variance(25, 0.3, SEED, "none", 1.0), 1).label == o.UNDER


def test_learning_curve_shape():
    lc = o.learning_curve_frame(0.3, SEED, 3, "none", 1.0)
    val = lc[lc["split"] == "validation"]["rmse"].to_numpy()
    assert val[-1] < val[0] and set(lc["split"]) == {"train", "validation"}


@pytest.mark.parametrize("degree,penalty", [(3, "none"), (12, "lasso (L1)")])
def test_learning_curve_equals_sklearn_learning_curve(degree, penalty):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import learning_curve
    data = o.make_data(o.POOL_N, 0.3, SEED + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sizes, train, val = learning_curve(o.poly_model(degree, penalty, 0.01), data[["x"]], data["y"],
                                           train_sizes=np.array(o.LEARNING_SIZES), cv=KFold(5, shuffle=True,
                                                                                            random_state=SEED),
                                           scoring="neg_root_mean_squared_error", shuffle=True, random_state=SEED)
    lc = o.learning_curve_frame(0.3, SEED, degree, penalty, 0.01)
    np.testing.assert_allclose(lc[lc["split"] == "validation"]["rmse"], -val.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(lc[lc["split"] == "train"]["rmse"], -train.mean(axis=1), rtol=1e-9)
    assert list(lc[lc["split"] == "train"]["n_train"]) == list(sizes)


def forget(*views) -> None:
    """Empty these cached views: a count of computations must not depend on what an earlier test in the same
    process has cached (the views' caches live as long as the process)."""
    for view in views:
        view.clear()


def test_curve_views_compute_once_with_progress_then_replay():
    forget(o.learning_view, o.bias_variance_view)
    at = open_page(PAGE)
    with mock.patch.object(o, "learning_curve_frame", wraps=o.learning_curve_frame) as lc, \
            mock.patch.object(o, "bias_variance", wraps=o.bias_variance) as bv:
        for _ in range(2):
            for view in ("Learning curve", "Bias–variance", "Fit & validation curve"):
                at.button_group(key=VIEW_KEY).set_value(view).run()
                assert_clean(at, view)
        assert lc.call_count == 1 and bv.call_count == 1
    # the heavy views say what they compute while they do (a spinner on a cache miss only)
    assert "Learning curve" in o.learning_view.policy.progress
    assert f"{o.BV_SETS} fresh training sets" in o.bias_variance_view.policy.progress


def test_page_default_and_degree_labels():
    at = open_page(PAGE)
    assert_clean(at, "default")
    assert metric_values(at)["Degree 3 is"] == "good fit" and metric_values(at)["One-SE pick"] == "degree 3"
    at.slider(key=o.DEGREE_KEY).set_value(15).run()
    assert metric_values(at)["Degree 15 is"] == "over-fit"
    at.slider(key=o.DEGREE_KEY).set_value(1).run()
    assert metric_values(at)["Degree 1 is"] == "under-fit"
    r = o.fit_poly(o.N_POINTS_DEFAULT, o.NOISE_DEFAULT, SEED, 1, "none", 1.0)
    assert any(r.reading.verdict.sentence in md.value and r.reading.pick_text in md.value for md in at.markdown)
    assert_clean(at)


@pytest.mark.parametrize("view, key, kind, value, query", [
    ("Fit & validation curve", o.DEGREE_KEY, "slider", 8, {common.SEED_KEY: "8"}),
    ("Regularisation path", o.ALPHA_KEY, "select_slider", 0.001, {o.PENALTY_KEY: "ridge (L2)", o.DEGREE_KEY: "12"}),
])
def test_validation_charts_mark_the_one_se_pick_and_its_limit(view, key, kind, value, query):
    at = open_page(PAGE, query={VIEW_KEY: view, **query})
    getattr(at, kind)(key=key).set_value(value).run()
    assert_clean(at)
    seed = int(query.get(common.SEED_KEY, SEED))
    degree = int(query.get(o.DEGREE_KEY, o.DEGREE_DEFAULT))
    if view.startswith("Fit"):
        curve = o.degree_curve(o.make_data(o.N_POINTS_DEFAULT, o.NOISE_DEFAULT, seed), "none", o.ALPHA_DEFAULT, seed)
        settings, simpler_first = list(curve["degree"]), True
    else:
        curve = o.coefficient_path(o.N_POINTS_DEFAULT, o.NOISE_DEFAULT, seed, degree, "ridge (L2)")[1]
        settings, simpler_first = list(o.ALPHAS), False
    val, se = curve["val_rmse"].to_numpy(), curve["val_se"].to_numpy()
    best = int(np.argmin(val))
    band = [i for i in range(len(val)) if val[i] <= val[best] + se[best]]
    pick = min(band) if simpler_first else max(band)
    chart = next(c for c in chart_specs(at) if "+ 1 standard error" in json.dumps(c.get("title", "")))
    points = _sent_charts(at)[" / ".join(chart["title"])][1]
    marker = points[0]
    assert marker["x"].tolist() == pytest.approx([value, settings[pick]])
    assert marker["y"].tolist() == pytest.approx([val[settings.index(value)], val[pick]])
    assert marker["group"].iloc[1].startswith("one-SE pick")
    assert points[-1]["y"].tolist() == pytest.approx([val[best] + se[best]])  # the dashed limit


def test_degree_slider_does_not_redo_curves():
    at = open_page(PAGE, query={VIEW_KEY: "Bias–variance"})
    assert at.button_group(key=VIEW_KEY).value == "Bias–variance"
    with mock.patch.object(o, "bias_variance", wraps=o.bias_variance) as bv, \
            mock.patch.object(o, "degree_curve", wraps=o.degree_curve) as dc:
        at.slider(key=o.DEGREE_KEY).set_value(9).run()
        at.slider(key=o.DEGREE_KEY).set_value(12).run()
        assert bv.call_count == 0
        at.button_group(key=VIEW_KEY).set_value("Fit & validation curve").run()
        at.slider(key=o.DEGREE_KEY).set_value(5).run()
        at.slider(key=o.DEGREE_KEY).set_value(7).run()
        assert dc.call_count <= 1  # once for this data at most, never per degree
    assert_clean(at)


def test_url_sets_widgets():
    at = open_page(PAGE, query={o.DEGREE_KEY: "12", o.PENALTY_KEY: "ridge (L2)", o.ALPHA_KEY: "1",
                                VIEW_KEY: "Regularisation path"})
    assert at.slider(key=o.DEGREE_KEY).value == 12
    assert at.button_group(key=o.PENALTY_KEY).value == "ridge (L2)"
    assert at.select_slider(key=o.ALPHA_KEY).value == 1.0
    assert "Best alpha (CV)" in metric_values(at)
    assert_clean(at)


@pytest.mark.parametrize("choice", o.PENALTIES[1:])
def test_path_view_without_a_penalty_offers_one_click_to_each_path(choice):
    at = open_page(PAGE, query={VIEW_KEY: "Regularisation path"})
    assert at.button_group(key=o.PENALTY_KEY).value == "none" and "Best alpha (CV)" not in metric_values(at)
    at.button(key=f"overfit.path_penalty.{choice}").click().run()
    assert_clean(at)
    assert at.button_group(key=o.PENALTY_KEY).value == choice
    assert not at.select_slider(key=o.ALPHA_KEY).disabled and "Best alpha (CV)" in metric_values(at)
    assert any(f"Coefficient path, degree {o.DEGREE_DEFAULT}, {choice}" in json.dumps(spec.get("title", ""))
               for spec in chart_specs(at))


def test_every_view_and_its_widgets_to_extremes():
    at = open_page(PAGE, query={o.PENALTY_KEY: "lasso (L1)", o.DEGREE_KEY: "20", o.N_POINTS_KEY: "10"})
    for view in at.button_group(key=VIEW_KEY).options:
        at.button_group(key=VIEW_KEY).set_value(view).run()
        assert_clean(at, view)
    at.button_group(key=VIEW_KEY).set_value("Trees: depth & pruning").run()
    for key, values in ((o.TREE_DEPTH_KEY, [1, 20]),):
        for v in values:
            at.slider(key=key).set_value(v).run()
            assert_clean(at, f"{key}={v}")
    for v in (o.CCP_VALUES[0], o.CCP_VALUES[-1]):
        at.select_slider(key=o.CCP_KEY).set_value(v).run()
        assert_clean(at, f"ccp={v}")
    at.button_group(key=VIEW_KEY).set_value("Early stopping").run()
    for v in (o.PATIENCE_MIN, o.PATIENCE_MAX):
        at.slider(key=o.PATIENCE_KEY).set_value(v).run()
        assert_clean(at, f"patience={v}")
    for v in (o.GB_LR_VALUES[0], o.GB_LR_VALUES[-1]):
        at.select_slider(key=o.GB_LR_KEY).set_value(v).run()
        assert_clean(at, f"lr={v}")


def test_trees_on_a_regression_dataset_explain_instead_of_failing():
    at = open_page(PAGE, query={common.DATASET_KEY: "diabetes", VIEW_KEY: "Trees: depth & pruning"})
    assert_clean(at)
    assert any("classification" in str(i.value) for i in at.info)


def test_exported_script_reproduces_numbers():
    ds = datasets.load("wine")
    r = o.fit_poly(25, 0.4, 7, 5, "ridge (L2)", 0.1)
    es = o.early_stopping(0.4, 7, 0.3, 8)
    tree = o.tree_curves(ds.X, ds.y, 7, 3, 0.005)
    out = run_exported_script(o.export_code(25, 0.4, 7, 5, "ridge (L2)", 0.1, ("wine",), 3, 0.005, 0.3, 8))
    assert out["train_rmse"] == pytest.approx(r.train_rmse)
    assert out["cv_rmse"] == pytest.approx(r.cv_rmse)
    assert out["cv_train_rmse"] == pytest.approx(r.curve_by_degree["train_rmse"].iloc[4])
    assert (out["floor_train"], out["floor_val"]) == pytest.approx((r.floor.train, r.floor.val))
    assert (out["best_degree"], out["one_se_pick"]) == (r.best_degree, r.pick_degree)
    assert_script_bias_variance(out, o.bias_variance(25, 0.4, 7, "ridge (L2)", 0.1), 5)
    assert (out["tree_best_depth"], out["tree_one_se_pick_depth"]) == (tree.best_depth, tree.pick_depth)
    np.testing.assert_allclose(out["coefficients"], r.coefficients["coefficient"])
    assert out["stopped_at"] == es.stopped_at
    assert out["test_mse_stopped"] == pytest.approx(es.test_mse_stopped)
    assert out["tree_test_accuracy"] == pytest.approx(tree.test_accuracy)
    assert out["tree_train_accuracy"] == pytest.approx(tree.train_accuracy)


def assert_script_bias_variance(out: dict, bv: o.BiasVariance, degree: int) -> None:
    row = bv.table.iloc[degree - 1]
    scale = row["total"]
    for key, column in (("bv_bias2", "bias2"), ("bv_variance", "variance"), ("bv_noise", "noise"),
                        ("bv_expected_test_mse", "total"), ("bv_measured_test_mse", "test_mse")):
        assert out[key] == pytest.approx(row[column], rel=1e-6, abs=1e-9 * scale), key


def test_lab_charts_validate_against_the_vega_lite_schema():
    from components import charts
    bv = o.bias_variance(20, 0.3, SEED, "none", 1.0)
    curves = bv.curves[3].assign(alpha=0.35)
    spec = charts.points_lines_chart(None, curves, y_domain=(-2, 2)).to_dict(validate=True)
    assert spec["layer"][0]["encoding"]["detail"]["field"] == "line"  # many fits, one colour
    marker = pd.DataFrame({"x": [3], "y": [bv.table["total"].iloc[2]], "group": ["degree 3"]})
    o.bv_parts_chart(bv, marker, 1.0).to_dict(validate=True)
    lc = o.learning_curve_frame(0.3, SEED, 3, "none", 1.0).rename(columns={"n_train": "x", "rmse": "y",
                                                                           "split": "series"})
    marker = lc.iloc[:1].rename(columns={"series": "group"})
    charts.points_lines_chart(marker, lc, log_x=True, rule_y=0.3).to_dict(validate=True)


@pytest.mark.parametrize("n, noise, degree, penalty, alpha", [
    (20, 0.2, 2, "none", 1.0), (12, 0.3, 15, "none", 1.0), (30, 0.3, 9, "lasso (L1)", 0.01)])
def test_exported_script_on_a_generated_set(n, noise, degree, penalty, alpha):
    """The script's bias-variance part refits scikit-learn's pipeline set by set (12 points at degree 15 is
    the minimum-norm least-squares fit) and must give the page's numbers."""
    ds = datasets.load("moons", n_samples=200, noise=0.3, seed=7)
    tree = o.tree_curves(ds.X, ds.y, 7, 5, 0.0)
    out = run_exported_script(o.export_code(n, noise, 7, degree, penalty, alpha, ("moons", 200, 0.3, 7), 5, 0.0,
                                            0.1, 10))
    assert out["tree_test_accuracy"] == pytest.approx(tree.test_accuracy)
    r = o.fit_poly(n, noise, 7, degree, penalty, alpha)
    assert out["train_rmse"] == pytest.approx(r.train_rmse)
    assert (out["best_degree"], out["one_se_pick"]) == (r.best_degree, r.pick_degree)
    assert_script_bias_variance(out, o.bias_variance(n, noise, 7, penalty, alpha), min(degree, o.BV_DEGREE_MAX))


@pytest.mark.parametrize("n, seed", [(30, SEED), (30, 0), (60, 7), (200, 3)])
def test_unpenalised_fit_is_the_least_squares_polynomial_at_every_degree(n, seed):
    """Independent of scikit-learn: numpy's Polynomial.fit (its own rescaling and least squares).
    scikit-learn's default cut-off for small singular values once turned degree 20 into about degree 10."""
    data = o.make_data(n, 0.3, seed)
    x, y = data["x"].to_numpy(), data["y"].to_numpy()
    grid = np.linspace(0, 1, 50)
    for degree in range(o.DEGREE_MIN, o.DEGREE_MAX + 1):
        exact = np.polynomial.Polynomial.fit(x, y, degree)
        model = o.poly_model(degree).fit(data[["x"]], data["y"])
        np.testing.assert_allclose(model.predict(data[["x"]]), exact(x), atol=1e-6)
        np.testing.assert_allclose(model.predict(pd.DataFrame({"x": grid})), exact(grid), atol=1e-4, rtol=1e-6)
    # and the page's numbers: degree 20 on 30 points fits the noise (train RMSE well below noise 0.3)
    r = o.fit_poly(n, 0.3, seed, 20, "none", 1.0)
    assert r.train_rmse == pytest.approx(np.sqrt(np.mean((exact(x) - y) ** 2)), abs=1e-6)


@pytest.mark.parametrize("penalty,alpha", [("none", 1.0), ("ridge (L2)", 0.01), ("lasso (L1)", 0.001)])
def test_degree_curve_equals_sklearn_validation_curve(penalty, alpha):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import validation_curve
    data = o.make_data(30, 0.3, SEED)
    fast = o.degree_curve(data, penalty, alpha, SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        train, val = validation_curve(o.poly_model(1, penalty, alpha), data[["x"]], data["y"],
                                      param_name="polynomialfeatures__degree", param_range=fast["degree"],
                                      cv=o.cv(SEED), scoring="neg_root_mean_squared_error")
    np.testing.assert_allclose(fast["train_rmse"], -train.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(fast["val_rmse"], -val.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(fast["val_se"], val.std(axis=1, ddof=1) / np.sqrt(5), rtol=1e-9)


@pytest.mark.parametrize("penalty,degree", [("ridge (L2)", 3), ("ridge (L2)", 20), ("lasso (L1)", 9)])
def test_coefficient_path_equals_sklearn_validation_curve_and_pipeline_fits(penalty, degree):
    """The path expands and scales each fold once for every alpha: the numbers of scikit-learn's
    validation_curve over alpha and of poly_model fitted afresh at every alpha."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import validation_curve
    path, by_alpha = o.coefficient_path(30, 0.3, SEED, degree, penalty)
    d = o.make_data(30, 0.3, SEED)
    param = "ridge__alpha" if penalty.startswith("ridge") else "lasso__alpha"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        train, val = validation_curve(o.poly_model(degree, penalty, 1.0), d[["x"]], d["y"], param_name=param,
                                      param_range=list(o.ALPHAS), cv=KFold(5, shuffle=True, random_state=SEED),
                                      scoring="neg_root_mean_squared_error")
        coefs = np.concatenate([o.poly_model(degree, penalty, a).fit(d[["x"]], d["y"])[-1].coef_ for a in o.ALPHAS])
    np.testing.assert_allclose(by_alpha["train_rmse"], -train.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(by_alpha["val_rmse"], -val.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(by_alpha["val_se"], val.std(axis=1, ddof=1) / np.sqrt(5), rtol=1e-9)
    np.testing.assert_allclose(path["coefficient"], coefs, rtol=1e-9, atol=1e-12)


def _without_scrub_filters(node):
    """``node`` without the filters charts.scrubbable prepends (and a transform list they leave empty)."""
    from components import charts
    if isinstance(node, list):
        return [_without_scrub_filters(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _without_scrub_filters(v) for k, v in node.items()}
    if "transform" in out:
        out["transform"] = [t for t in out["transform"] if charts.SCRUB_COLUMN not in str(t.get("filter", ""))]
        if not out["transform"]:
            del out["transform"]
    return out


def as_drawn(spec: dict, data: dict[str, pd.DataFrame]) -> tuple[dict, dict[str, pd.DataFrame]]:
    """A scrubbing chart (charts.scrubbable) as the browser draws it at its parameter's value: each
    stacked dataset cut to the rows of that position (without the position column), and the spec
    without the parameter and its filters. Other charts come back unchanged."""
    from components import charts
    scrub = [p for p in spec.get("params", []) if p["name"].startswith("scrub__")]
    if not scrub:
        return spec, data
    position = scrub[0]["value"]
    data = {name: _plain(frame) for name, frame in data.items()}
    data = {name: (frame[np.isclose(frame[charts.SCRUB_COLUMN], position)].drop(columns=charts.SCRUB_COLUMN)
                   .reset_index(drop=True) if charts.SCRUB_COLUMN in frame else frame)
            for name, frame in data.items()}
    spec = _without_scrub_filters(spec)
    spec["params"] = [p for p in spec["params"] if p not in scrub]
    if not spec["params"]:
        del spec["params"]
    return spec, data


def _sent_charts(at) -> dict:
    """Every chart on screen, as drawn (as_drawn): title -> (its spec without data names, the frames of
    its parts)."""
    import json

    import pyarrow as pa
    out = {}
    for chart in at.get("vega_lite_chart"):
        spec, data = as_drawn(json.loads(chart.proto.spec),
                              {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets})
        parts = spec.get("layer", [spec])
        top = spec.get("data", {}).get("name")  # Altair lifts a lone layer's data to the chart
        frames = [data.get(part.get("data", {}).get("name", top)) for part in parts]
        bare = json.dumps({**{k: v for k, v in spec.items() if k != "data"},
                           "layer": [{k: v for k, v in p.items() if k != "data"} for p in parts]}, sort_keys=True)
        title = spec.get("title")
        out[" / ".join(title) if isinstance(title, list) else title] = (bare, frames)
    return out


@pytest.mark.parametrize("view,kind,key,first,then,query", [
    ("Fit & validation curve", "slider", o.DEGREE_KEY, 3, 8, {}),
    ("Regularisation path", "select_slider", o.ALPHA_KEY, 0.001, 1.0, {o.PENALTY_KEY: "lasso (L1)", o.DEGREE_KEY: "9"}),
])
def test_scrubbed_charts_equal_freshly_built_ones(view, kind, key, first, then, query):
    """Scrubbing the degree (fit view) or alpha (path view) swaps markers into charts built for the first
    setting: what the page sends must equal what a page opened at that setting builds from scratch."""
    import streamlit as st
    st.cache_data.clear()
    at = open_page(PAGE, query={VIEW_KEY: view, key: f"{first:g}", **query})
    getattr(at, kind)(key=key).set_value(then).run()
    swapped = _sent_charts(at)
    st.cache_data.clear()
    fresh_page = open_page(PAGE, query={VIEW_KEY: view, key: f"{then:g}", **query})
    assert getattr(fresh_page, kind)(key=key).value == then
    fresh = _sent_charts(fresh_page)
    assert swapped.keys() == fresh.keys() and len(fresh) == 2
    for title, (bare, frames) in fresh.items():
        assert swapped[title][0] == bare, title
        for a, b in zip(swapped[title][1], frames):
            pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_bias_variance_charts_at_a_scrubbed_degree_equal_a_direct_build():
    """The bias-variance charts are built at degree 1 and each degree's fits and marker swapped in: at degree 7
    they must equal charts built directly from the decomposition."""
    import json

    import pyarrow as pa

    from components import charts
    at = open_page(PAGE, query={VIEW_KEY: "Bias–variance"})
    at.slider(key=o.DEGREE_KEY).set_value(7).run()
    sent = _sent_charts(at)
    noise = o.NOISE_DEFAULT
    bv = o.bias_variance(o.N_POINTS_DEFAULT, noise, SEED, "none", o.ALPHA_DEFAULT)
    xs = bv.curves[7]
    truth = pd.DataFrame({"x": o.BV_TEST_X, "y": np.sin(2 * np.pi * o.BV_TEST_X), "series": "true function",
                          "line": "truth"})
    # the legend names the degree (a title that did would change the spec on every move)
    lines = pd.concat([xs.assign(series="degree 7: " + xs["series"], alpha=np.where(xs["line"] == "average", 1.0, 0.35)),
                       truth.assign(alpha=1.0)])
    assert set(lines["series"]) == {"degree 7: fits on fresh training sets", f"degree 7: average of all {o.BV_SETS} fits",
                                    "true function"}
    title = f"{o.CURVES_SHOWN} of the {o.BV_SETS} fits on fresh training sets, their average and the truth"
    direct = charts.to_spec(charts.points_lines_chart(None, lines, "x", "y", title,
                                                      y_domain=(-1.5 - 3 * noise, 1.5 + 3 * noise)))
    frame = pa.ipc.open_stream(direct["datasets"][direct["data"]["name"]]).read_pandas()  # a lone layer's data
    pd.testing.assert_frame_equal(sent[title][1][0].reset_index(drop=True), frame.reset_index(drop=True),
                                  check_dtype=False)
    drawn = {k: v for k, v in json.loads(sent[title][0]).items() if k != "autosize"}  # Streamlit adds autosize
    assert drawn == json.loads(json_without_data(direct))
    # the parts chart: this degree's marker with the measured test MSE of every degree, and the bias^2 band
    parts_title = next(t for t in sent if t.startswith("Bias² + variance + noise"))
    points, band = sent[parts_title][1][0], sent[parts_title][1][1]
    assert points["x"].iloc[0] == 7 and points["y"].iloc[0] == pytest.approx(bv.table["total"].iloc[6])
    assert points["group"].iloc[0] == f"degree 7: {o.bv_verdict(bv, 7).label}"
    measured = points[points["group"] == o.BV_MEASURED]
    np.testing.assert_allclose(measured["y"], bv.table["test_mse"])
    np.testing.assert_allclose(band["high"] - band["low"], 2 * o.MC_SES * bv.table["bias2_se"])
    cap = float(2 * bv.table["total"].iloc[0] + noise ** 2)
    direct_parts = charts.to_spec(o.bv_parts_chart(bv, pd.DataFrame(points.iloc[:1]), cap))
    drawn = {k: v for k, v in json.loads(sent[parts_title][0]).items() if k != "autosize"}
    assert drawn == json.loads(json_without_data(direct_parts))


def json_without_data(spec: dict) -> str:
    import json
    parts = spec.get("layer", [spec])
    return json.dumps({**{k: v for k, v in spec.items() if k not in ("datasets", "data")},
                       "layer": [{k: v for k, v in p.items() if k != "data"} for p in parts]}, sort_keys=True)


def test_tree_sliders_redo_only_the_curve_they_change():
    """max_depth moves along the depth curve (fitted at the current ccp_alpha) and re-fits only the
    pruning curve; ccp_alpha the other way round. The page's numbers stay those of a direct fit."""
    import streamlit as st
    st.cache_data.clear()  # counts below must not depend on what earlier tests cached
    at = open_page(PAGE, query={VIEW_KEY: "Trees: depth & pruning"})
    with mock.patch.object(o, "tree_depth_curve", wraps=o.tree_depth_curve) as by_depth, \
            mock.patch.object(o, "tree_ccp_curve", wraps=o.tree_ccp_curve) as by_ccp:
        at.slider(key=o.TREE_DEPTH_KEY).set_value(5).run()
        assert by_depth.call_count == 0 and by_ccp.call_count == 1
        at.select_slider(key=o.CCP_KEY).set_value(0.01).run()
        assert by_depth.call_count == 1 and by_ccp.call_count == 1
    ds = datasets.load("breast_cancer")  # the default dataset
    X_tr, X_te, y_tr, y_te = train_test_split(ds.X, ds.y, test_size=0.3, random_state=SEED, stratify=ds.y)
    t = DecisionTreeClassifier(max_depth=5, ccp_alpha=0.01, random_state=SEED).fit(X_tr, y_tr)
    assert metric_values(at)["Test accuracy"] == f"{np.mean(t.predict(X_te) == y_te):.3f}"
    assert metric_values(at)["Leaves"] == str(t.get_n_leaves())
    assert_clean(at)


def test_patience_slider_refits_only_the_early_stopped_model():
    import streamlit as st
    st.cache_data.clear()
    at = open_page(PAGE, query={VIEW_KEY: "Early stopping"})
    with mock.patch.object(o, "boosting_losses", wraps=o.boosting_losses) as full:
        at.slider(key=o.PATIENCE_KEY).set_value(4).run()
        assert full.call_count == 0
    pool = o.make_data(o.POOL_N, o.NOISE_DEFAULT, SEED + 1)
    X_tr, _, y_tr, _ = train_test_split(pool[["x"]].to_numpy(), pool["y"].to_numpy(), test_size=0.3,
                                        random_state=SEED)
    gb = GradientBoostingRegressor(n_estimators=o.GB_STAGES, learning_rate=o.GB_LR_DEFAULT, max_depth=3,
                                   random_state=SEED, n_iter_no_change=4,
                                   validation_fraction=o.GB_VALIDATION_FRACTION).fit(X_tr, y_tr)
    assert metric_values(at)["Stopped at stage"] == str(gb.n_estimators_)
    sent = _sent_charts(at)
    (title,) = sent
    assert sent[title][1][1]["stage"].tolist() == [gb.n_estimators_]  # the rule
    assert_clean(at)


def test_still_improving_needs_a_drop_larger_than_one_standard_error():
    lc = pd.DataFrame({"n_train": [60, 240, 60, 240], "split": ["validation"] * 2 + ["train"] * 2,
                       "rmse": [0.320, 0.307, 0.2, 0.25], "se": [0.02, 0.01, 0.0, 0.0]})
    assert o.still_improving(lc)  # 0.013 > 0.01
    assert not o.still_improving(lc.assign(se=[0.02, 0.02, 0.0, 0.0]))  # 0.013 < 0.02: noise
    real = o.learning_curve_frame(0.3, SEED, 3, "none", 1.0)
    val = real[real["split"] == "validation"]
    from sklearn.model_selection import learning_curve
    data = o.make_data(o.POOL_N, 0.3, SEED + 1)
    _, _, scores = learning_curve(o.poly_model(3), data[["x"]], data["y"], train_sizes=np.array(o.LEARNING_SIZES),
                                  cv=o.cv(SEED), scoring="neg_root_mean_squared_error", shuffle=True, random_state=SEED)
    np.testing.assert_allclose(val["se"], scores.std(axis=1, ddof=1) / np.sqrt(scores.shape[1]), rtol=1e-9)


def test_error_metrics_stay_readable_when_a_fit_explodes():
    at = open_page(PAGE)
    at.slider(key=o.DEGREE_KEY).set_value(20).run()
    shown = metric_values(at)["Validation RMSE (CV)"]
    cv_rmse = o.degree_curve(o.make_data(o.N_POINTS_DEFAULT, o.NOISE_DEFAULT, SEED), "none", 1.0, SEED)["val_rmse"].iloc[-1]
    assert cv_rmse > 1000 and shown == f"{cv_rmse:,.0f}"


# ---------------------------------------------------------------- the generated sentences, across seeds and data
TEXT_SEEDS = (SEED, 8, 3)
TEXT_DATA = ((30, 0.3), (200, 0.6))  # points, noise


def _x(value: float) -> str:
    """A number as the sentences print an RMSE or an accuracy (an exploding fit's with thousands separators)."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{abs(value):.3f}" if round(abs(value), 3) == 0 else f"{value:.3f}"


def direct_curve_and_floor(n, noise, seed, penalty="none", degree=None):
    """The validation curve (over degrees, or over alpha at ``degree``) by scikit-learn's validation_curve, and
    the true curve's own RMSE on the same training and validation rows, computed here."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import validation_curve
    data = o.make_data(n, noise, seed)
    folds = KFold(5, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if degree is None:
            settings = list(range(1, 21))
            train, val = validation_curve(sklearn_pipeline(1, penalty, 1.0), data[["x"]], data["y"],
                                          param_name="polynomialfeatures__degree", param_range=settings, cv=folds,
                                          scoring="neg_root_mean_squared_error")
        else:
            settings = list(o.ALPHAS)
            step = "ridge__alpha" if penalty.startswith("ridge") else "lasso__alpha"
            train, val = validation_curve(sklearn_pipeline(degree, penalty, 1.0), data[["x"]], data["y"],
                                          param_name=step, param_range=settings, cv=folds,
                                          scoring="neg_root_mean_squared_error")
    residual = (data["y"] - np.sin(2 * np.pi * data["x"])).to_numpy()
    floor_train = np.mean([np.sqrt(np.mean(residual[tr] ** 2)) for tr, _ in folds.split(residual)])
    floor_val = np.mean([np.sqrt(np.mean(residual[te] ** 2)) for _, te in folds.split(residual)])
    return settings, -train.mean(axis=1), -val.mean(axis=1), val.std(axis=1, ddof=1) / np.sqrt(5), floor_train, floor_val


def check_floor_verdict(verdict, i, train, val, se, floor_train, floor_val, tol, simpler_first):
    """The page's documented rule, applied here to numbers computed here, and every comparison its sentence
    states checked against them. The one-SE pick is computed here too: a setting simpler than it may be
    under-fit, one more complex may be over-fit, the pick itself is neither."""
    text = verdict.sentence
    best = int(np.argmin(val))
    inside = [j for j in range(len(val)) if val[j] <= val[best] + se[best]]
    pick = min(inside) if simpler_first else max(inside)

    def rank(j: int) -> int:
        return j if simpler_first else -j
    band = val[i] <= val[best] + se[best]
    gap = val[i] - train[i]
    biased = train[i] > floor_train + tol
    wide = gap > tol and val[i] > floor_val + tol
    assert f"tolerance {tol:.3f}" in text
    if i == pick:
        assert verdict.label in (o.GOOD, o.PICKED)  # never under- or over-fit
        assert verdict.label == (o.GOOD if not (biased or wide) else o.PICKED)
        assert "one-standard-error rule's pick" in text
    if biased and rank(i) < rank(pick):
        assert verdict.label == o.UNDER
        assert f"training RMSE, {_x(train[i])}, is {_x(train[i] - floor_train)} above" in text
        assert f"({_x(floor_train)};" in text and "more than the tolerance" in text
        return
    assert verdict.label != o.UNDER
    assert "training RMSE, " + _x(train[i]) in text
    side = "above" if train[i] >= floor_train else "below"
    assert f"{_x(abs(train[i] - floor_train))} {side} the true curve's own RMSE on the same training rows" in text
    if wide and rank(i) > rank(pick):
        assert verdict.label == o.OVER
        assert f"validation RMSE, {_x(val[i])}, is {_x(gap)} above the training RMSE, more than" in text
        assert f"and {_x(val[i] - floor_val)} above the true curve's own on the same validation rows" in text
        return
    assert verdict.label != o.OVER
    assert ("below the true curve's own RMSE on the same training rows (" in text) == (train[i] < floor_train)
    if biased:
        assert f"), more than the tolerance {tol:.3f}" in text
    elif train[i] >= floor_train:
        assert "training rows" in text and f"), within the tolerance {tol:.3f}" in text
    if gap <= tol:
        if gap >= 0:
            assert f"only {_x(gap)} above it (within the tolerance" in text
        else:
            assert f"is {_x(-gap)} below it" in text
    elif wide:
        assert f"is {_x(gap)} above it, more than the tolerance" in text
        assert f"and {_x(val[i] - floor_val)} above the true curve's own on the same validation rows" in text
    else:
        side = "above" if val[i] >= floor_val else "below"
        assert f"is {_x(abs(val[i] - floor_val))} {side} the true curve's own on the same validation rows" in text
        assert val[i] - floor_val <= tol
    assert f"{_x(val[best])} at " in text and f"= {_x(val[best] + se[best])})" in text
    if i == pick:
        assert "within one standard error of the lowest" in text
        if verdict.label == o.PICKED:
            assert ("some bias" in text) == biased and ("some variance" in text) == wide
    elif band:
        assert verdict.label == (o.IN_BAND if biased else o.GOOD)
        assert "is within one standard error of the lowest" in text
    else:
        simpler = rank(i) < rank(best)
        assert verdict.label == (o.SLIGHTLY_UNDER if simpler else o.SLIGHTLY_OVER)
        assert "more than one standard error above the lowest" in text
        assert ("and it is simpler" if simpler else "and it is more complex") in text


@pytest.mark.parametrize("seed", TEXT_SEEDS)
@pytest.mark.parametrize("n, noise", TEXT_DATA)
def test_degree_verdicts_and_pick_sentences_hold(n, noise, seed):
    settings, train, val, se, floor_train, floor_val = direct_curve_and_floor(n, noise, seed)
    tol = 0.15 * noise + 0.01  # the documented tolerance
    best = int(np.argmin(val))
    pick = min(i for i in range(len(val)) if val[i] <= val[best] + se[best])
    for degree in (1, 2, 3, 5, 8, 12, 20):
        r = o.fit_poly(n, noise, seed, degree, "none", 1.0)
        assert (r.best_degree, r.pick_degree) == (settings[best], settings[pick])
        assert (r.floor.train, r.floor.val) == pytest.approx((floor_train, floor_val))
        check_floor_verdict(r.reading.verdict, degree - 1, train, val, se, floor_train, floor_val, tol, True)
        text = r.reading.pick_text
        assert f"picks degree {settings[pick]}" in text
        if pick == best:
            assert "the best itself" in text
        else:
            assert f"CV RMSE ({_x(val[pick])}) is within one standard error of the best" in text
        assert f"({_x(val[best])} at degree {settings[best]} + its standard error {_x(se[best])} = " \
               f"{_x(val[best] + se[best])})" in text
        check_floor_verdict(r.reading.pick_verdict, pick, train, val, se, floor_train, floor_val, tol, True)
        if r.reading.pick_verdict.label == o.GOOD:
            assert text.endswith(f"degree {settings[pick]} is a good fit.")
        else:
            assert text.endswith("as the rule's pick it is called neither under- nor over-fit.")


@pytest.mark.parametrize("seed", TEXT_SEEDS)
@pytest.mark.parametrize("n, noise", TEXT_DATA)
def test_alpha_verdicts_hold(n, noise, seed):
    settings, train, val, se, floor_train, floor_val = direct_curve_and_floor(n, noise, seed, "ridge (L2)", 12)
    tol = 0.15 * noise + 0.01
    best = int(np.argmin(val))
    pick = max(i for i in range(len(val)) if val[i] <= val[best] + se[best])  # a larger alpha is simpler
    _, by_alpha = o.coefficient_path(n, noise, seed, 12, "ridge (L2)")
    floor = o.noise_floor(n, noise, seed)
    for i in range(len(settings)):
        reading = o.read_rmse_curve(by_alpha, i, o.alpha_names(settings), floor, complexity_increases=False)
        assert reading.rule.pick == pick and reading.rule.best == best
        check_floor_verdict(reading.verdict, i, train, val, se, floor_train, floor_val, tol, False)
        assert f"picks alpha = {settings[pick]:g}" in reading.pick_text
        check_floor_verdict(reading.pick_verdict, pick, train, val, se, floor_train, floor_val, tol, False)


@pytest.mark.parametrize("seed", TEXT_SEEDS)
@pytest.mark.parametrize("n, noise", TEXT_DATA)
@pytest.mark.parametrize("penalty, degree", [("ridge (L2)", 9), ("lasso (L1)", 9), ("ridge (L2)", 15)])
def test_the_one_se_pick_is_never_called_under_or_over_fit(n, noise, seed, penalty, degree):
    """The page picks one alpha by the one-standard-error rule; the verdicts must agree with it: the pick is
    a good fit (or, where the noise floor still sees bias or variance, "the one-SE pick"), every under-fit
    alpha is larger (simpler) than the pick and every over-fit one smaller."""
    _, by_alpha = o.coefficient_path(n, noise, seed, degree, penalty)
    floor = o.noise_floor(n, noise, seed)
    val, se = by_alpha["val_rmse"].to_numpy(), by_alpha["val_se"].to_numpy()
    best = int(np.argmin(val))
    pick = max(i for i in range(len(val)) if val[i] <= val[best] + se[best])  # computed here
    labels = [o.read_rmse_curve(by_alpha, i, o.alpha_names(o.ALPHAS), floor, complexity_increases=False).verdict.label
              for i in range(len(o.ALPHAS))]
    assert labels[pick] in (o.GOOD, o.PICKED)
    assert all(i > pick for i, label in enumerate(labels) if label == o.UNDER)
    assert all(i < pick for i, label in enumerate(labels) if label == o.OVER)
    reading = o.read_rmse_curve(by_alpha, pick, o.alpha_names(o.ALPHAS), floor, complexity_increases=False)
    assert reading.verdict == reading.pick_verdict
    assert "under-fit." not in reading.pick_text.replace("neither under- nor over-fit.", "")
    assert "over-fit." not in reading.pick_text.replace("neither under- nor over-fit.", "")
    rules = o.verdict_rules_text(floor, "alpha")
    assert f"tolerance of {0.15 * noise + 0.01:.3f}" in rules and "noise floor" in rules and "gap" in rules


@pytest.mark.parametrize("seed", TEXT_SEEDS)
@pytest.mark.parametrize("n, noise", TEXT_DATA)
def test_bias_variance_sentences_hold(n, noise, seed):
    bv = o.bias_variance(n, noise, seed, "none", 1.0)
    t = bv.table
    total = t["bias2"] + t["variance"] + t["noise"]
    best = int(np.argmin(total))
    for d in range(1, o.BV_DEGREE_MAX + 1):
        row = t.iloc[d - 1]
        identity = o.bv_identity_sentence(bv, d)
        assert f"bias² {o.mse_text(row['bias2'])} + variance {o.mse_text(row['variance'])} + noise " \
               f"{o.mse_text(noise ** 2)} = {o.mse_text(total.iloc[d - 1])}" in identity
        diff = row["test_mse"] - total.iloc[d - 1]
        assert f"{o.mse_text(abs(diff))} {'above' if diff >= 0 else 'below'} the sum" in identity
        assert ("within 2 Monte Carlo" if abs(diff) <= 2 * row["test_se"] else "more than 2 Monte Carlo") in identity
        bias = o.bv_bias_sentence(bv, d)
        assert f"{bv.sets} = {o.mse_text(row['variance'] / bv.sets)}" in bias
        near_zero = abs(row["bias2"]) <= 2 * row["bias2_se"]
        assert ("within 2 standard errors of 0" if near_zero else "more than 2 standard errors from 0") in bias
        verdict = o.bv_verdict(bv, d)
        if d - 1 == best:
            assert verdict.label == o.BV_BEST
            continue
        paired = bv.per_fit[d - 1] - bv.per_fit[best]
        near = (paired.mean() <= 2 * paired.std(ddof=1) / np.sqrt(bv.sets)
                and np.sum(paired > 0) <= bv.sets / 2 + np.sqrt(bv.sets))
        assert f"above the lowest (degree {best + 1}, {o.mse_text(total.iloc[best])})" in verdict.sentence
        if near:
            assert verdict.label == o.BV_NEAR
            assert f"worse than degree {best + 1}'s on {np.sum(paired > 0)} of the {bv.sets}" in verdict.sentence
            continue
        d_bias = row["bias2"] - t["bias2"].iloc[best]
        d_var = row["variance"] - t["variance"].iloc[best]
        assert verdict.label == (o.UNDER if d_bias > d_var else o.OVER)
        assert f"bias² is {o.mse_text(abs(d_bias))} {'above' if d_bias >= 0 else 'below'}" in verdict.sentence
        assert f"variance {o.mse_text(abs(d_var))} {'above' if d_var >= 0 else 'below'}" in verdict.sentence
    trend = o.bv_trend_sentence(bv, "none")
    b, se = t["bias2"].to_numpy(), t["bias2_se"].to_numpy()
    zero = np.abs(b) <= 2 * se
    first = next((d for d in range(1, len(b) + 1) if zero[d - 1:].all()), None)
    if first is not None:
        assert f"within 2 Monte Carlo standard errors of 0 from degree {first} on" in trend
        assert first == 1 or not zero[first - 2]
    rises = [d for d in range(1, len(b)) if b[d] - b[d - 1] > 3 * np.sqrt(
        (len(bv.bias2_loo[d]) - 1) / len(bv.bias2_loo[d])
        * np.sum(((bv.bias2_loo[d] - bv.bias2_loo[d - 1]) - (bv.bias2_loo[d] - bv.bias2_loo[d - 1]).mean()) ** 2))]
    for d in rises:
        assert f"{d} to {d + 1} ({o.mse_text(b[d - 1])} to {o.mse_text(b[d])})" in trend
    assert ("No step from one degree to the next" in trend) == (not rises)


@pytest.mark.parametrize("name, seed", [("breast_cancer", SEED), ("breast_cancer", 8), ("wine", 3)])
def test_tree_sentences_hold(name, seed):
    ds = datasets.load(name, seed=seed)
    for depth in (1, 3, 6, 20):
        r = o.tree_curves(ds.X, ds.y, seed, depth, 0.0)
        cv_rows = r.by_depth[r.by_depth["split"] == o.CV]
        cv_acc, se = cv_rows["accuracy"].to_numpy(), cv_rows["se"].to_numpy()
        train = r.by_depth[r.by_depth["split"] == o.TRAIN]["accuracy"].to_numpy()
        best = int(np.argmax(cv_acc))
        edge = cv_acc[best] - se[best]
        band = cv_acc >= edge
        pick = int(np.flatnonzero(band).min())
        i, text, label = depth - 1, r.reading_depth.verdict.sentence, r.reading_depth.verdict.label
        if i == pick:
            assert label == o.PICKED and f"picks max depth {pick + 1}" in text
        elif i == best:
            assert label == o.BEST_CV and f"picks the simpler max depth {pick + 1}" in text
        elif band[i]:
            assert label == o.IN_BAND and f"is not below the one-standard-error limit {_x(edge)}" in text
        else:
            assert f"CV accuracy, {_x(cv_acc[i])}, is below the one-standard-error limit {_x(edge)}" in text
            gap, best_gap = train[i] - cv_acc[i], train[best] - cv_acc[best]
            if i < pick:
                assert label == o.UNDER
            elif i > best and gap > best_gap:
                assert label == o.OVER and f"{_x(gap)} above the CV accuracy, a wider gap" in text
            else:
                assert label == o.WORSE


@pytest.mark.parametrize("seed", TEXT_SEEDS)
@pytest.mark.parametrize("noise, lr", [(0.3, 0.3), (0.6, 0.05), (0.1, 1.0)])
def test_early_stopping_sentence_holds(noise, lr, seed):
    r = o.early_stopping(noise, seed, lr, 10)
    text = o.early_stopping_sentence(r, noise)
    val = r.losses[r.losses["split"] == "validation"]["mse"].to_numpy()
    low = val.min()
    assert r.best_stage == int(np.argmin(val)) + 1
    assert f"lowest at stage {r.best_stage} ({low:.4f})" in text
    assert ("it turned back up" in text) == (val[-1] > low)
    where = "before" if r.stopped_at < r.best_stage else "after" if r.stopped_at > r.best_stage else "at"
    assert f"halted at stage {r.stopped_at}, {where} the lowest" in text
    than = "lower than" if r.test_mse_stopped < r.test_mse_full else "higher than"
    assert f"{r.test_mse_stopped:.4f}, is {than}" in text


# ---- the page's scrubbing controls: named datasets swapped into unchanged specs -------------------------
def drawn_charts(at) -> list[tuple[str, dict[str, bytes]]]:
    """Every chart on screen as (its spec as sent, without data; its datasets by name)."""
    return [(c.proto.spec, {d.name: d.data.data for d in c.proto.datasets}) for c in at.get("vega_lite_chart")]


def dataset(at, chart: int, name: str) -> pd.DataFrame:
    """One named dataset of a chart on screen, as drawn (a scrubbing chart's rows at its position)."""
    import pyarrow as pa
    spec, data = drawn_charts(at)[chart]
    return as_drawn(json.loads(spec), {n: pa.ipc.open_stream(b).read_pandas() for n, b in data.items()})[1][name]


@contextmanager
def spying(module, names):
    """Spies on ``module``'s functions ``names`` (they still run) for the block; yields them in order."""
    with ExitStack() as stack:
        yield [stack.enter_context(mock.patch.object(module, n, wraps=getattr(module, n))) for n in names]


@pytest.mark.parametrize("query, kind, key, values, computations", [
    ({}, "slider", o.DEGREE_KEY, (8, 15, 1), ("degree_curve", "fit_every_degree")),
    ({VIEW_KEY: "Bias–variance", o.PENALTY_KEY: "lasso (L1)"}, "slider", o.DEGREE_KEY, (7, 12, 18), ("bias_variance",)),
    ({VIEW_KEY: "Regularisation path", o.PENALTY_KEY: "ridge (L2)", o.DEGREE_KEY: "9"}, "select_slider", o.ALPHA_KEY,
     (0.001, 1.0), ("coefficient_path",)),
])
def test_a_browser_scrubbed_move_changes_no_dataset_and_recomputes_nothing(query, kind, key, values, computations):
    """The degree's and alpha's charts hold every position of their slider and follow it in the browser
    (charts.scrubbable): a move changes only where their parameter starts (in the browser, where the
    slider's fragment reruns alone, not even that: components/ui/scrub.py), no dataset, and computes
    nothing again. The parameter starts at the slider's position: the degree, alpha's option index."""
    at = open_page(PAGE, query=query)
    before = drawn_charts(at)
    assert len(before) == 2 and all(scrub_start(spec, key) is not None for spec, _ in before)
    with spying(o, computations) as spies:
        for value in values:
            getattr(at, kind)(key=key).set_value(value).run()
            assert_clean(at, f"{key}={value}")
            after = drawn_charts(at)
            position = o.alpha_position(value) if key == o.ALPHA_KEY else value
            for (spec, data), (spec_before, data_before) in zip(after, before):
                assert without_scrub_starts(spec) == without_scrub_starts(spec_before), (key, value)
                assert data == data_before, (key, value)
                assert scrub_start(spec, key) == position, (key, value)
            before = after
        assert [s.call_count for s in spies] == [0] * len(spies)


def stacked_rows(spec: dict, name: str, position: float) -> pd.DataFrame:
    """A scrubbing spec's dataset ``name`` at one position (the rows the browser shows there)."""
    import pyarrow as pa

    from components import charts
    frame = _plain(pa.ipc.open_stream(spec["datasets"][name]).read_pandas())
    return frame[frame[charts.SCRUB_COLUMN] == position].drop(columns=charts.SCRUB_COLUMN).reset_index(drop=True)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns (labels sent once) as plain objects, to compare with the frames built per move."""
    return frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def _views_of(node, names: set[str]):
    """Every view (a dict with "data") in a spec that reads one of ``names``."""
    if isinstance(node, list):
        for item in node:
            yield from _views_of(item, names)
    elif isinstance(node, dict):
        if isinstance(node.get("data"), dict) and node["data"].get("name") in names:
            yield node
        for k, v in node.items():
            if k not in ("data", "datasets"):
                yield from _views_of(v, names)


def assert_follows(spec: dict, key: str, lo: float, hi: float, names: set[str]) -> None:
    """The spec follows the slider ``key`` over its whole range, and every view of ``names`` first keeps
    the rows of the parameter's position."""
    from components import charts
    param = charts.scrub_param(key)
    assert next(p for p in spec["params"] if p["name"] == param)["bind"] == {"input": "range", "min": lo, "max": hi,
                                                                             "step": 1}
    assert names <= set(spec["datasets"])
    views = list(_views_of(spec, names))
    assert views and {v["data"]["name"] for v in views} == names
    for view in views:
        test = view["transform"][0]["filter"]
        assert charts.SCRUB_COLUMN in test and param in test, test


@pytest.mark.parametrize("n, noise, seed, penalty, alpha", [
    (o.N_POINTS_DEFAULT, o.NOISE_DEFAULT, SEED, "none", o.ALPHA_DEFAULT), (20, 0.5, 8, "ridge (L2)", 0.1),
    (40, 0.2, 3, "lasso (L1)", 0.01)])
def test_the_degree_charts_hold_each_degree_s_rows(n, noise, seed, penalty, alpha):
    """At every degree the slider can take, the fit and bias-variance charts hold the rows the page swapped
    in at that degree before (fit_lines / fit_marker of that degree's fit, bv_lines / bv_points of
    min(degree, BV_DEGREE_MAX)), recomputed here from the fits; alpha's charts the rows of each alpha."""
    fv = o.fit_view(n, noise, seed, penalty, alpha)
    assert_follows(fv.specs["fit"], o.DEGREE_KEY, o.DEGREE_MIN, o.DEGREE_MAX, {o.FIT_LINES})
    assert_follows(fv.specs["validation"], o.DEGREE_KEY, o.DEGREE_MIN, o.DEGREE_MAX, {o.MARKER})
    bvv = o.bias_variance_view(n, noise, seed, penalty, alpha)
    assert_follows(bvv.specs["fits"], o.DEGREE_KEY, o.DEGREE_MIN, o.DEGREE_MAX, {o.BV_FITS})
    assert_follows(bvv.specs["parts"], o.DEGREE_KEY, o.DEGREE_MIN, o.DEGREE_MAX, {o.MARKER})
    for d in range(o.DEGREE_MIN, o.DEGREE_MAX + 1):
        fit = o.fit_poly(n, noise, seed, d, penalty, alpha) if d in (1, 7, 20) else fv.fits[d]
        pd.testing.assert_frame_equal(stacked_rows(fv.specs["fit"], o.FIT_LINES, d), o.fit_lines(fit, d),
                                      check_dtype=False, rtol=1e-9, atol=1e-9)
        pd.testing.assert_frame_equal(stacked_rows(fv.specs["validation"], o.MARKER, d), o.fit_marker(fit, d),
                                      check_dtype=False)
        shown = min(d, o.BV_DEGREE_MAX)
        pd.testing.assert_frame_equal(stacked_rows(bvv.specs["fits"], o.BV_FITS, d), o.bv_lines(bvv.bv, shown),
                                      check_dtype=False)
        pd.testing.assert_frame_equal(stacked_rows(bvv.specs["parts"], o.MARKER, d), o.bv_points(bvv.bv, shown),
                                      check_dtype=False)
    if penalty == "none":
        return
    pv = o.path_view(n, noise, seed, 9, penalty)
    assert_follows(pv.specs["path"], o.ALPHA_KEY, 0, len(o.ALPHAS) - 1, {o.PATH_MARKER})
    assert_follows(pv.specs["error"], o.ALPHA_KEY, 0, len(o.ALPHAS) - 1, {o.MARKER})
    path, by_alpha = o.coefficient_path(n, noise, seed, 9, penalty)
    for i, a in enumerate(o.ALPHAS):
        coefficients = stacked_rows(pv.specs["path"], o.PATH_MARKER, i)
        np.testing.assert_allclose(coefficients["y"], path[path["alpha"] == a]["coefficient"])
        assert set(coefficients["x"]) == {a} and set(coefficients["group"]) == {f"alpha = {a:g}"}
        pd.testing.assert_frame_equal(stacked_rows(pv.specs["error"], o.MARKER, i), pv.frames[a][o.MARKER],
                                      check_dtype=False)
        assert stacked_rows(pv.specs["error"], o.MARKER, i)["y"].iloc[0] == pytest.approx(by_alpha["val_rmse"].iloc[i])


@pytest.mark.parametrize("query, kind, key, values, moving, charts_kept, computations", [
    ({VIEW_KEY: "Trees: depth & pruning"}, "slider", o.TREE_DEPTH_KEY, (5, 3), {o.RULE}, (0,), ("tree_depth_curve",)),
    ({VIEW_KEY: "Trees: depth & pruning"}, "select_slider", o.CCP_KEY, (0.01, 0.002), {o.RULE}, (1,),
     ("tree_ccp_curve",)),
    ({VIEW_KEY: "Early stopping"}, "slider", o.PATIENCE_KEY, (4, 30), {o.RULE}, (0,), ("boosting_losses",)),
])
def test_a_scrubbing_move_changes_only_named_datasets(query, kind, key, values, moving, charts_kept, computations):
    """The browser updates a chart in place when only its named datasets change; anything else in the spec
    embeds it again. These controls pick precomputed rows: the spec stays byte-identical and nothing that
    the chart was built from is computed again."""
    at = open_page(PAGE, query=query)
    before = drawn_charts(at)
    with spying(o, computations) as spies:
        for value in values:
            getattr(at, kind)(key=key).set_value(value).run()
            assert_clean(at, f"{key}={value}")
            after = drawn_charts(at)
            for i in charts_kept:
                assert after[i][0] == before[i][0], (key, value, i)  # the spec itself, byte for byte
                changed = {n for n in after[i][1] if after[i][1][n] != before[i][1].get(n)}
                assert changed and changed <= moving, (key, value, i, changed)
            before = after
        assert [s.call_count for s in spies] == [0] * len(spies)


def test_the_fit_view_at_a_scrubbed_degree_shows_numpys_polynomial():
    """At degree 8 the swapped-in fit is the least-squares polynomial of degree 8 (numpy's, here), and the
    marker sits at its cross-validated RMSE (numpy's fits on the same folds)."""
    at = open_page(PAGE)
    at.slider(key=o.DEGREE_KEY).set_value(8).run()
    d = o.make_data(o.N_POINTS_DEFAULT, o.NOISE_DEFAULT, SEED)
    lines = dataset(at, 0, o.FIT_LINES)
    fit = lines[lines["series"] == "degree 8 fit"]
    np.testing.assert_allclose(fit["y"], np.polyval(np.polyfit(d["x"], d["y"], 8), fit["x"]), rtol=1e-6, atol=1e-8)
    truth = lines[lines["series"] == "true function"]
    np.testing.assert_allclose(truth["y"], np.sin(2 * np.pi * truth["x"]))
    fold_rmse = []
    for tr, te in KFold(5, shuffle=True, random_state=SEED).split(d):
        c = np.polyfit(d["x"].iloc[tr], d["y"].iloc[tr], 8)
        fold_rmse.append(np.sqrt(np.mean((np.polyval(c, d["x"].iloc[te]) - d["y"].iloc[te]) ** 2)))
    marker = dataset(at, 1, o.MARKER)
    assert marker["x"].iloc[0] == 8 and marker["y"].iloc[0] == pytest.approx(np.mean(fold_rmse), rel=1e-6)
    assert metric_values(at)["Validation RMSE (CV)"] == f"{np.mean(fold_rmse):.3f}"


@pytest.mark.parametrize("n, noise, seed, penalty, alpha", [
    (30, 0.3, SEED, "none", 1.0), (10, 0.3, 8, "none", 1.0), (60, 0.5, 3, "ridge (L2)", 0.1),
    (30, 0.3, 1, "lasso (L1)", 0.01), (200, 1.0, 5, "lasso (L1)", 0.0001)])
def test_fit_every_degree_equals_fit_poly(n, noise, seed, penalty, alpha):
    """The degree slider's precomputed fits (features expanded once) are fit_poly's pipeline fits."""
    every = o.fit_every_degree(n, noise, seed, penalty, alpha)
    for d in range(o.DEGREE_MIN, o.DEGREE_MAX + 1):
        r, e = o.fit_poly(n, noise, seed, d, penalty, alpha), every[d]
        scale = max(1.0, float(np.abs(r.curve["fitted"]).max()))
        np.testing.assert_allclose(e.curve["fitted"], r.curve["fitted"], rtol=1e-12, atol=1e-12 * scale)
        np.testing.assert_allclose(e.coefficients["coefficient"], r.coefficients["coefficient"], rtol=1e-12,
                                   atol=1e-12 * max(1.0, float(np.abs(r.coefficients["coefficient"]).max())))
        assert e.train_rmse == pytest.approx(r.train_rmse, rel=1e-12)
        assert (e.cv_rmse, e.best_degree, e.pick_degree) == (r.cv_rmse, r.best_degree, r.pick_degree)
        assert (e.reading.verdict, e.reading.pick_text) == (r.reading.verdict, r.reading.pick_text)


@pytest.mark.parametrize("alpha", [0.0001, 0.01, 1.0])
def test_bias_variance_lasso_fits_are_lassos_own_bit_for_bit(alpha):
    """The bias-variance view calls scikit-learn's coordinate descent without the estimator around it: every
    prediction must be exactly what Lasso(...).fit(...).predict(...) gives, converged or not."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Lasso
    x, y, _ = o.bv_training_sets(30, 0.3, SEED, 4)
    F, G = o._standardised_powers(x, o.BV_TEST_X)
    preds = o._lasso_fits(F, G, y, alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for b in range(4):
            for d in range(1, o.BV_DEGREE_MAX + 1):
                want = Lasso(alpha=alpha, max_iter=o.LASSO_MAX_ITER).fit(F[b, :, :d], y[b]).predict(G[b, :, :d])
                assert np.array_equal(preds[d - 1, b], want), (b, d)


def test_mse_is_sklearns_to_the_bit():
    from sklearn.metrics import mean_squared_error
    rng = np.random.default_rng(0)
    for n in (5, 24, 30, 157, 210):
        y, p = rng.normal(size=n), rng.normal(size=n) * rng.uniform(0.1, 1e3)
        assert o.mse(y, p) == mean_squared_error(y, p)


@pytest.mark.parametrize("penalty", o.PENALTIES)
def test_predict_is_the_regressors_own_to_the_bit(penalty):
    data = o.make_data(40, 0.3, SEED)
    F = o.poly_model(o.DEGREE_MAX)[:-1].fit(data[["x"]].to_numpy()).transform(data[["x"]].to_numpy())
    for d in (1, 7, 20):
        reg = o._regressor(penalty, 0.01).fit(F[:, :d], data["y"].to_numpy())
        assert np.array_equal(o._predict(reg, F[:, :d]), reg.predict(F[:, :d]))
