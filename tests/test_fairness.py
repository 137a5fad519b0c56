"""Fairness and ethics lab: every number against an independent computation (scikit-learn, numpy and
fairlearn called directly here), the generated sentences over seeds and bias strengths, the exported
scripts, each control through AppTest (the thresholds never refit and never change a chart's spec),
and the question bank's links to the page."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from fairlearn.metrics import demographic_parity_difference, equal_opportunity_difference, equalized_odds_difference
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import charts
from components import fairness as fair
from tests.apptest_utils import ROOT, assert_clean, metric_values, open_page, run_exported_script
from tests.chart_utils import without_scrub_starts

PAGE = "views/pitfalls/fairness.py"
TABLE = pd.read_csv(ROOT / "sample_data" / "lending.csv")
SEEDS = (0, 7, 42)
BIASES = (0.0, 0.3, 0.6)


# ---- independent computations ---------------------------------------------------------------------
def recorded(bias: float, seed: int) -> np.ndarray:
    draw = np.random.default_rng(seed).random(len(TABLE))
    refused = (TABLE["group"] == "B").to_numpy() & (draw < bias)
    return (TABLE["creditworthy"].to_numpy() == 1) & ~refused


def independent(bias=0.3, use_group=False, use_proxy=True, seed=42) -> dict:
    """The plain model fitted here from the CSV, with scikit-learn directly."""
    y = recorded(bias, seed).astype(int)
    cols = ["income", "debt_ratio", "years_employed", "missed_payments"] + (["area_income"] if use_proxy else [])
    X = TABLE[cols].astype(float)
    if use_group:
        X["group_B"] = (TABLE["group"] == "B").astype(float)
    train, test = train_test_split(np.arange(len(TABLE)), test_size=0.4, random_state=seed, stratify=TABLE["group"])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X.iloc[train], y[train])
    return {"scores": model.predict_proba(X.iloc[test])[:, 1], "group": TABLE["group"].to_numpy()[test],
            "recorded": y[test], "truth": TABLE["creditworthy"].to_numpy()[test], "model": model,
            "X_train": X.iloc[train], "y_train": y[train], "g_train": TABLE["group"].to_numpy()[train],
            "X_test": X.iloc[test]}


def numpy_rates(y: np.ndarray, pred: np.ndarray, group: np.ndarray) -> dict:
    out = {"accuracy": float(np.mean(y == pred))}
    for g in ("A", "B"):
        yy, pp = y[group == g], pred[group == g]
        tp, fp = int(np.sum((pp == 1) & (yy == 1))), int(np.sum((pp == 1) & (yy == 0)))
        out[g] = {"base rate": yy.mean(), "selection rate": pp.mean(), "TPR": tp / yy.sum(),
                  "FPR": fp / (len(yy) - yy.sum()), "precision": tp / (tp + fp) if tp + fp else np.nan,
                  "applicants": len(yy)}
    a, b = out["A"], out["B"]
    out["dp"] = abs(a["selection rate"] - b["selection rate"])
    out["eopp"] = abs(a["TPR"] - b["TPR"])
    out["eodds"] = max(abs(a["TPR"] - b["TPR"]), abs(a["FPR"] - b["FPR"]))
    return out


def labels_of(ind: dict, labels: str) -> np.ndarray:
    return ind["truth"] if labels == fair.TRUTH else ind["recorded"]


def decisions(ind: dict, t_a: float, t_b: float) -> np.ndarray:
    return (ind["scores"] >= np.where(ind["group"] == "A", t_a, t_b)).astype(int)


# ---- the data -----------------------------------------------------------------------------------------
def test_the_generator_reproduces_the_shipped_file():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_lending", ROOT / "sample_data" / "make_lending.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.make().to_csv(index=False) == (ROOT / "sample_data" / "lending.csv").read_text()
    # the base rates differ without any bias, so the criteria conflict at every strength
    rates = TABLE.groupby("group")["creditworthy"].mean()
    assert rates["A"] - rates["B"] > 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_the_bias_refuses_creditworthy_group_b_applicants_only_and_nests(seed):
    previous = None
    for bias in (0.0, 0.2, 0.5, 0.8):
        got = fair.approved(TABLE, bias, seed)
        np.testing.assert_array_equal(got, recorded(bias, seed).astype(int))
        changed = got != TABLE["creditworthy"].to_numpy()
        assert not changed[(TABLE["group"] == "A").to_numpy()].any()
        assert not got[changed].any()  # only ever a creditworthy applicant refused
        if previous is not None:
            assert np.all(got <= previous)  # a stronger bias refuses a superset
        previous = got
    np.testing.assert_array_equal(fair.approved(TABLE, 0.0, seed), TABLE["creditworthy"].to_numpy())


@pytest.mark.parametrize("bias", BIASES)
def test_data_panel_numbers_and_sentences(bias):
    view = fair.data_view(bias, 42)
    y, truth, b = recorded(bias, 42), TABLE["creditworthy"].to_numpy() == 1, (TABLE["group"] == "B").to_numpy()
    counts = view.counts.set_index("group")
    assert counts.loc["B", "creditworthy"] == int(truth[b].sum())
    assert counts.loc["B", "approved"] == int(y[b].sum())
    assert counts.loc["B", "creditworthy but refused"] == int((truth & ~y & b).sum())
    assert counts.loc["A", "approved"] == counts.loc["A", "creditworthy"] == int(truth[~b].sum())
    assert view.proxy_auc == pytest.approx(roc_auc_score(~b, TABLE["area_income"]))
    assert view.income_auc == pytest.approx(roc_auc_score(~b, TABLE["income"]))
    text = fair.data_sentence(view.counts, bias)
    assert f"{truth[b].mean():.1%} are creditworthy and {y[b].mean():.1%} were approved" in text
    lost = int((truth & ~y & b).sum())
    assert (f"refused {lost} of the {int(truth[b].sum())} creditworthy" in text) == (lost > 0)
    assert f"{view.proxy_auc:.3f}" in fair.proxy_sentence(view.proxy_auc, view.income_auc)


# ---- per-group rates ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bias", (0.0, 0.6))
def test_group_rates_match_numpy_and_fairlearn(seed, bias):
    for use_group, use_proxy in ((False, True), (True, False)):
        ind = independent(bias, use_group, use_proxy, seed)
        for labels in fair.LABEL_OPTIONS:
            y = labels_of(ind, labels)
            for t_a, t_b in ((0.5, 0.5), (0.62, 0.35), (0.0, 1.0)):
                pred = decisions(ind, t_a, t_b)
                got = fair.rates_at(bias, use_group, use_proxy, labels, seed, t_a, t_b)
                want = numpy_rates(y, pred, ind["group"])
                for g in ("A", "B"):
                    for k in ("base rate", "selection rate", "TPR", "FPR", "precision", "applicants"):
                        assert got.by_group.loc[g, k] == pytest.approx(want[g][k], nan_ok=True), (g, k)
                assert got.accuracy == pytest.approx(want["accuracy"])
                assert got.demographic_parity == pytest.approx(want["dp"])
                assert got.equal_opportunity == pytest.approx(want["eopp"])
                assert got.equalised_odds == pytest.approx(want["eodds"])
                # and fairlearn's own functions agree with the frame's differences
                g = ind["group"]
                assert got.demographic_parity == pytest.approx(demographic_parity_difference(y, pred, sensitive_features=g))
                assert got.equal_opportunity == pytest.approx(equal_opportunity_difference(y, pred, sensitive_features=g))
                assert got.equalised_odds == pytest.approx(equalized_odds_difference(y, pred, sensitive_features=g))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_sweep_and_every_pair_match_direct_counts(seed):
    ind = independent(0.3, False, True, seed)
    for labels in fair.LABEL_OPTIONS:
        y = labels_of(ind, labels)
        view = fair.threshold_view(0.3, False, True, labels, seed)
        grid = view.grid.set_index(["threshold A", "threshold B"])
        rng = np.random.default_rng(seed)
        pairs = [(0.5, 0.5), (0.0, 0.0), (1.0, 1.0), (0.3, 0.8)] + [
            tuple(np.round(rng.integers(0, 101, 2) / 100, 2)) for _ in range(12)]
        for t_a, t_b in pairs:
            want = numpy_rates(y, decisions(ind, t_a, t_b), ind["group"])
            row = grid.loc[(t_a, t_b)]
            assert row["accuracy"] == pytest.approx(want["accuracy"])
            assert row["DP difference"] == pytest.approx(want["dp"])
            assert row["EO difference"] == pytest.approx(want["eodds"])
        assert len(view.grid) == 101 * 101


def independent_grid(y: np.ndarray, scores: np.ndarray, group: np.ndarray) -> pd.DataFrame:
    """Every pair of thresholds, counted with a loop over thresholds (not the lab's outer products)."""
    grid = np.round(np.arange(101) / 100, 2)
    per = {}
    for g in ("A", "B"):
        s, yy = scores[group == g], y[group == g]
        per[g] = [(np.sum((s >= t) == yy), np.mean(s >= t), np.mean(s[yy == 1] >= t), np.mean(s[yy == 0] >= t))
                  for t in grid]
    rows = []
    n = len(y)
    for i, ta in enumerate(grid):
        ca, sa, tpa, fpa = per["A"][i]
        for j, tb in enumerate(grid):
            cb, sb, tpb, fpb = per["B"][j]
            rows.append((ta, tb, (ca + cb) / n, abs(sa - sb), max(abs(tpa - tpb), abs(fpa - fpb))))
    return pd.DataFrame(rows, columns=["threshold A", "threshold B", "accuracy", "DP difference", "EO difference"])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bias", (0.0, 0.6))
def test_frontier_and_its_sentences(seed, bias):
    ind = independent(bias, False, True, seed)
    y = ind["recorded"]
    grid = independent_grid(y, ind["scores"], ind["group"])
    view = fair.threshold_view(bias, False, True, fair.RECORDED, seed)
    for x, name in (("DP difference", "demographic parity"), ("EO difference", "equalised odds")):
        front = view.frontiers[x]
        # no pair of the grid beats a frontier point; every pair is matched or beaten by one
        xs, acc = grid[x].to_numpy(), grid["accuracy"].to_numpy()
        for _, p in front.iterrows():
            assert not np.any((xs <= p[x] + 1e-12) & (acc > p["accuracy"] + 1e-12))
        fx, fa = front[x].to_numpy(), front["accuracy"].to_numpy()
        assert np.all(np.diff(fx) > 0) and np.all(np.diff(fa) > 0)
        covered = (fx[None, :] <= xs[:, None] + 1e-12) & (fa[None, :] >= acc[:, None] - 1e-12)
        assert covered.any(axis=1).all()
        # the sentence: the most accurate pair, the best within the tolerance, the cost
        text = fair.frontier_sentence(view.grid, x, name)
        best = grid["accuracy"].max()
        assert f"the most accurate reaches {best:.3f}" in text
        within = grid.loc[grid[x] <= fair.PARITY_TOLERANCE + 1e-12, "accuracy"].max()
        best_x = grid.loc[grid["accuracy"] == best, x].min()
        if best_x <= fair.PARITY_TOLERANCE:
            assert "costs no accuracy" in text
        else:
            assert f"reaches {within:.3f}" in text
            cost = round(best, 3) - round(within, 3)
            assert (f"costs {cost:.3f} of accuracy" in text) == (cost > 0)
    # where the current thresholds sit
    for t_a, t_b in ((0.5, 0.5), (0.7, 0.4)):
        want = numpy_rates(y, decisions(ind, t_a, t_b), ind["group"])
        text = fair.position_sentence(view.frontiers, want["accuracy"], want["dp"], want["eodds"])
        for x, here, name in (("DP difference", want["dp"], "demographic parity"),
                              ("EO difference", want["eodds"], "equalised odds")):
            reach = grid.loc[grid[x] <= here + 1e-9, "accuracy"].max()
            if round(reach, 3) > round(want["accuracy"], 3):
                assert f"another pair reaches {reach:.3f} accuracy without a larger {name} difference" in text
            else:
                assert f"no pair is more accurate without a larger {name} difference" in text


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bias", (0.0, 0.3, 0.7))
def test_impossibility_sentences_hold_the_numbers_on_screen(seed, bias):
    ind = independent(bias, False, True, seed)
    for labels in fair.LABEL_OPTIONS:
        y = labels_of(ind, labels)
        positive = fair.label_names(labels)[0]
        for t_a, t_b in ((0.5, 0.5), (0.6, 0.35), (0.3, 0.3)):
            want = numpy_rates(y, decisions(ind, t_a, t_b), ind["group"])
            a, b = want["A"], want["B"]
            rates = fair.rates_at(bias, False, True, labels, seed, t_a, t_b)
            lines = fair.impossibility_sentences(rates.by_group, positive)
            text = " ".join(lines)
            pa, pb = a["base rate"], b["base rate"]
            assert round(pa, 3) != round(pb, 3), "the data are built so that base rates differ"
            assert f"{pa:.1%} of group A and {pb:.1%} of group B are {positive}" in lines[0]
            # equalised odds => unequal selection rates: selection = FPR + (TPR - FPR) * base rate
            assert a["selection rate"] == pytest.approx(a["FPR"] + (a["TPR"] - a["FPR"]) * pa)
            same_odds = a["FPR"] + (a["TPR"] - a["FPR"]) * pb
            assert f"approved at {same_odds:.3f} against group A's {a['selection rate']:.3f}" in text
            assert f"= {(a['TPR'] - a['FPR']) * (pa - pb):.3f}. Only TPR = FPR" in text
            # demographic parity at B's FPR => the TPR B would need
            need = (a["selection rate"] - b["FPR"] * (1 - pb)) / pb
            assert "would need a TPR of" in text and f"= {need:.3f}" in text
            if need > 1:
                assert "more than 1, impossible" in text
            elif need < 0:
                assert "below 0, impossible" in text
            else:
                word = "above" if round(need, 3) > round(a["TPR"], 3) else (
                    "below" if round(need, 3) < round(a["TPR"], 3) else "equal to")
                assert f"{need:.3f}, {word} group A's {a['TPR']:.3f}" in text
            # Chouldechova: FPR = p/(1-p) (1-PPV)/PPV TPR, checked on group A, applied to group B's base rate
            ppv = a["precision"]
            assert a["FPR"] == pytest.approx(pa / (1 - pa) * (1 - ppv) / ppv * a["TPR"])
            implied = pb / (1 - pb) * (1 - ppv) / ppv * a["TPR"]
            assert f"= {a['FPR']:.3f}). Give group B" in text
            assert f"forces an FPR of {implied:.3f}" in text
            word = "above" if round(implied, 3) > round(a["FPR"], 3) else (
                "below" if round(implied, 3) < round(a["FPR"], 3) else "equal to")
            assert f"{implied:.3f}, {word} group A's" in text


def test_impossibility_sentences_at_the_edges():
    """A threshold of 0 approves everyone (TPR = FPR = 1); equal base rates leave nothing to conflict."""
    frame = pd.DataFrame({"base rate": [0.5, 0.3], "selection rate": [1.0, 1.0], "TPR": [1.0, 1.0],
                          "FPR": [1.0, 1.0], "precision": [0.5, 0.3]}, index=["A", "B"])
    text = " ".join(fair.impossibility_sentences(frame, "approved"))
    assert "TPR equals its FPR (1.000)" in text and "Only TPR = FPR" not in text
    frame.loc["B", "base rate"] = 0.5
    assert "equal at this precision" in fair.impossibility_sentences(frame, "approved")[0]
    # a high threshold that approves only positives: precision 1 forces FPR 0 in both groups, whatever the base rates
    strict = pd.DataFrame({"base rate": [0.5, 0.3], "selection rate": [0.1, 0.06], "TPR": [0.2, 0.2],
                           "FPR": [0.0, 0.0], "precision": [1.0, 1.0]}, index=["A", "B"])
    text = " ".join(fair.impossibility_sentences(strict, "approved"))
    assert "forces an FPR of 0.000, equal to group A's: with a precision of 1 no one is approved wrongly" in text
    # a tiny FPR: the odds ratio still separates the FPRs, below what three decimals show
    tiny = strict.assign(FPR=[0.0004, 0.0004], precision=[0.998, 0.998])
    tiny.loc["A", "FPR"] = 0.5 / 0.5 * 0.002 / 0.998 * 0.2
    odds = (0.3 / 0.7) / (0.5 / 0.5)
    text = " ".join(fair.impossibility_sentences(tiny, "approved"))
    assert f"must still differ by a factor of {odds:.2f}" in text and "base rates are too close" not in text


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bias", (0.0, 0.3, 0.6))
def test_unawareness_table_and_sentence(seed, bias):
    table = fair.unawareness(bias, fair.RECORDED, seed).set_index("inputs")
    dps = {}
    for name, use_group, use_proxy in fair.UNAWARENESS:
        ind = independent(bias, use_group, use_proxy, seed)
        want = numpy_rates(ind["recorded"], decisions(ind, 0.5, 0.5), ind["group"])
        assert table.loc[name, fair.DP_DIFF] == pytest.approx(want["dp"])
        assert table.loc[name, fair.ACCURACY] == pytest.approx(want["accuracy"])
        dps[name] = want["dp"]
    text = fair.unawareness_sentence(table.reset_index())
    aware, unaware, neither = (dps[n] for n, _, _ in fair.UNAWARENESS[:3])
    assert f"from {aware:.3f} to {unaware:.3f}" in text
    assert ("area income was carrying part of the group" in text) == (round(unaware, 3) > round(neither, 3))


# ---- mitigation ------------------------------------------------------------------------------------
def test_reweighing_is_kamiran_calders():
    rng = np.random.default_rng(0)
    group = rng.choice(["A", "B"], 500, p=[0.6, 0.4])
    y = (rng.random(500) < np.where(group == "A", 0.6, 0.3)).astype(int)
    w = fair.reweighing(group, y)
    for g in ("A", "B"):
        for label in (0, 1):
            cell = (group == g) & (y == label)
            expected = np.mean(group == g) * np.mean(y == label) / np.mean(cell)
            np.testing.assert_allclose(w[cell], expected)
    # weighted, the label is independent of the group: equal weighted positive shares
    shares = [np.average(y[group == g], weights=w[group == g]) for g in ("A", "B")]
    assert shares[0] == pytest.approx(shares[1])


def test_mitigations_match_fairlearn_called_directly():
    seed, bias = 42, 0.3
    ind = independent(bias, False, True, seed)
    y = ind["recorded"]
    view = fair.mitigation_view(((fair.REWEIGHING, ""), (fair.POSTPROCESSING, fair.EQUALISED_ODDS),
                                 (fair.REDUCTION, fair.DEMOGRAPHIC_PARITY)), bias, False, True, fair.RECORDED, seed)
    # reweighing: the same weights, the same refit, threshold 0.5
    w = fair.reweighing(ind["g_train"], ind["y_train"])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(ind["X_train"], ind["y_train"], logisticregression__sample_weight=w)
    want = {"reweighing": (model.predict_proba(ind["X_test"])[:, 1] >= 0.5).astype(int)}
    optimiser = ThresholdOptimizer(estimator=ind["model"], prefit=True, predict_method="predict_proba",
                                   constraints="equalized_odds", objective="accuracy_score")
    optimiser.fit(ind["X_train"], ind["y_train"], sensitive_features=ind["g_train"])
    want["threshold optimiser, equalised odds"] = optimiser.predict(ind["X_test"], sensitive_features=ind["group"],
                                                                    random_state=seed)
    import warnings
    reduction = ExponentiatedGradient(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
                                      constraints=DemographicParity(),
                                      sample_weight_name="logisticregression__sample_weight")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning, module=r"fairlearn\.")
        reduction.fit(ind["X_train"], ind["y_train"], sensitive_features=ind["g_train"])
    want["exponentiated gradient, demographic parity"] = reduction.predict(ind["X_test"], random_state=seed)
    for name, pred in want.items():
        got, expect = view.methods[name], numpy_rates(y, np.asarray(pred).astype(int), ind["group"])
        assert got.accuracy == pytest.approx(expect["accuracy"]), name
        assert got.demographic_parity == pytest.approx(expect["dp"]), name
        assert got.equalised_odds == pytest.approx(expect["eodds"]), name
        text = fair.mitigation_sentence(name, view.plain, got)
        assert f"from {view.plain.demographic_parity:.3f} to {got.demographic_parity:.3f}" in text or \
            f"left the demographic-parity difference at {got.demographic_parity:.3f}" in text
    plain = numpy_rates(y, decisions(ind, 0.5, 0.5), ind["group"])
    assert view.plain.accuracy == pytest.approx(plain["accuracy"])
    # the constraints did their job on this split
    assert view.methods["threshold optimiser, equalised odds"].equalised_odds < plain["eodds"] / 2
    assert view.methods["exponentiated gradient, demographic parity"].demographic_parity < plain["dp"] / 2


def test_the_constraint_never_refits_reweighing():
    assert fair.constraint_used(fair.REWEIGHING, fair.EQUALISED_ODDS) == ""
    assert fair.constraint_used(fair.POSTPROCESSING, fair.EQUALISED_ODDS) == fair.EQUALISED_ODDS


# ---- charts ------------------------------------------------------------------------------------------
def stacked_rows(spec: dict, name: str) -> pd.DataFrame:
    return pa.ipc.open_stream(spec["datasets"][name]).read_pandas()


def kept(rows: pd.DataFrame, positions: dict[str, float]) -> pd.DataFrame:
    """The rows the charts' filters keep (charts.scrubbable): those tagged with each slider's position, or
    untagged (null) in that slider's column."""
    keep = np.ones(len(rows), dtype=bool)
    for column, value in positions.items():
        keep &= rows[column].isna().to_numpy() | (np.abs(rows[column].to_numpy() - value) < fair.THRESHOLD_STEP / 2)
    return rows[keep]


def current_point(rows: pd.DataFrame) -> dict:
    """The frontier charts' current point from the two rows kept (fair.CURRENT_AGGREGATE, CURRENT_CALCULATE)."""
    assert len(rows) == 2 and set(rows["group"]) == {"A", "B"}
    return {"threshold A": rows["threshold A"].max(), "threshold B": rows["threshold B"].max(),
            "accuracy": rows["correct"].sum() / rows["n"].sum(),
            "DP difference": rows["selection rate"].max() - rows["selection rate"].min(),
            "EO difference": max(rows["TPR"].max() - rows["TPR"].min(), rows["FPR"].max() - rows["FPR"].min())}


@pytest.mark.parametrize("seed, bias, labels", [(42, 0.3, fair.RECORDED), (7, 0.6, fair.TRUTH), (0, 0.0, fair.RECORDED)])
def test_the_stacked_charts_show_at_every_threshold_what_threshold_frames_gives(seed, bias, labels):
    """Each chart holds every threshold (both modes); the rows its filters keep at a position are the rows
    threshold_frames gives there, and the current point combined from them is the pair grid's."""
    view = fair.threshold_view(bias, False, True, labels, seed)
    assert np.isfinite(view.sweep[["TPR", "FPR"]].to_numpy()).all()  # min/max in the browser skip missing rates
    params = {fair.SHARED: [charts.scrub_param(fair.THRESHOLD_KEY)],
              fair.PER_GROUP: [charts.scrub_param(k) for k in (fair.THRESHOLD_A_KEY, fair.THRESHOLD_B_KEY)]}
    for mode, specs in view.specs.items():
        for name, spec in specs.items():
            assert [p["name"] for p in spec["params"]] == params[mode], (mode, name)
        rates, cuts, current = (stacked_rows(specs[chart], name) for chart, name in
                                (("rates", "rates"), ("scores", "cuts"), ("frontier_dp", "current")))
        assert stacked_rows(specs["frontier_eo"], "current").equals(current)
        pairs = [(t, t) for t in fair.THRESHOLDS] if mode == fair.SHARED else \
            [(a, b) for a in fair.THRESHOLDS[::7] for b in fair.THRESHOLDS[::9]] + [(0.0, 1.0), (1.0, 0.0)]
        for t_a, t_b in pairs:
            where = ({charts.SCRUB_COLUMN: t_a} if mode == fair.SHARED else
                     {fair.GROUP_SCRUB_COLUMNS["A"]: t_a, fair.GROUP_SCRUB_COLUMNS["B"]: t_b})
            want = fair.threshold_frames(view, t_a, t_b)
            got = kept(rates, where).set_index(["group", "metric"])["value"]
            assert len(got) == len(want["rates"])
            for row in want["rates"]:
                value = got[(row["group"], row["metric"])]
                assert (row["value"] is None and np.isnan(value)) or value == row["value"], (t_a, t_b, row)
            got_cuts = kept(cuts, where).set_index("group")
            for row in want["cuts"]:
                assert {k: got_cuts.loc[row["group"], k] for k in ("threshold", "from", "to")} == pytest.approx(
                    {k: row[k] for k in ("threshold", "from", "to")})
            point = current_point(kept(current, where))
            assert point == pytest.approx({k: v for k, v in want["current"][0].items() if k != "series"}, abs=1e-12)


@pytest.mark.parametrize("labels", fair.LABEL_OPTIONS)
def test_the_charts_moving_data_equal_the_panel_numbers(labels):
    """The charts read the cached sweep, the metrics and tables fairlearn's metrics: the same numbers."""
    view = fair.threshold_view(0.6, True, True, labels, 7)
    for t_a, t_b in ((0.5, 0.5), (0.0, 1.0), (0.33, 0.71), (0.99, 0.01)):
        rates = fair.rates_at(0.6, True, True, labels, 7, t_a, t_b)
        frames = fair.threshold_frames(view, t_a, t_b)
        for row in frames["rates"]:
            want = rates.by_group.loc[row["group"], row["metric"]]
            assert (row["value"] is None and np.isnan(want)) or row["value"] == pytest.approx(want)
        current = frames["current"][0]
        assert current["accuracy"] == pytest.approx(rates.accuracy)
        assert current["DP difference"] == pytest.approx(rates.demographic_parity)
        assert current["EO difference"] == pytest.approx(rates.equalised_odds)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_quick_per_group_rates_equal_the_metricframe(seed):
    """A threshold move calls fairlearn's metrics on each group directly; the MetricFrame gives the same."""
    ind = independent(0.5, False, True, seed)
    for labels in fair.LABEL_OPTIONS:
        y = labels_of(ind, labels)
        for t_a, t_b in ((0.5, 0.5), (0.2, 0.9), (0.0, 0.0), (1.0, 0.45)):
            pred = decisions(ind, t_a, t_b)
            quick, frame = (f(y, pred, ind["group"]) for f in (fair.quick_group_rates, fair.group_rates))
            pd.testing.assert_frame_equal(quick.by_group, frame.by_group, check_dtype=False, check_names=False)
            assert quick.headline() == pytest.approx(frame.headline())


def test_every_chart_validates_against_the_vega_lite_schema():
    for chart in (fair.base_rates_chart(), fair.proxy_chart(), fair.rates_chart(),
                  fair.scores_chart(("approved", "refused")), fair.frontier_chart("DP difference", "x"),
                  fair.methods_chart("EO difference", "x")):
        chart.to_dict(validate=True)


# ---- exported scripts ------------------------------------------------------------------------------
@pytest.mark.parametrize("settings", [
    fair.FairnessSettings(),
    fair.FairnessSettings(bias=0.6, use_group=True, labels=fair.TRUTH, seed=7, mode=fair.PER_GROUP,
                          threshold_a=0.62, threshold_b=0.35),
    fair.FairnessSettings(bias=0.0, use_proxy=False, seed=0, threshold=0.41),
])
def test_threshold_script_prints_the_page_numbers(settings):
    printed = run_exported_script(fair.threshold_script(settings))
    rates = fair.rates_at(*settings.model_key[:3], settings.labels, settings.seed, *settings.cuts)
    for name, value in rates.headline().items():
        assert printed[name] == pytest.approx(value), name
    for g in fair.GROUPS:
        for k in ("selection rate", "TPR", "FPR", "precision"):
            assert printed["by group"][g][k] == pytest.approx(rates.by_group.loc[g, k], nan_ok=True)


@pytest.mark.parametrize("method, constraint", [(fair.REWEIGHING, fair.DEMOGRAPHIC_PARITY),
                                                (fair.POSTPROCESSING, fair.DEMOGRAPHIC_PARITY),
                                                (fair.REDUCTION, fair.EQUALISED_ODDS)])
def test_mitigation_script_prints_the_page_numbers(method, constraint):
    s = fair.FairnessSettings(mitigation=method, constraint=constraint, labels=fair.TRUTH)
    printed = run_exported_script(fair.mitigation_script(s))
    chosen = ((method, fair.constraint_used(method, constraint)),)
    view = fair.mitigation_view(chosen, *s.model_key[:3], s.labels, s.seed)
    got = view.methods[fair.method_name(*chosen[0])]
    for name, value in got.headline().items():
        assert printed[name] == pytest.approx(value), name


# ---- the page (AppTest) ------------------------------------------------------------------------------
def shown(at) -> dict[str, float]:
    return {k: float(v) for k, v in metric_values(at).items()}


def assert_headline(at, want: dict, suffix: str = "") -> None:
    got = shown(at)
    assert got[fair.ACCURACY + suffix] == pytest.approx(want["accuracy"], abs=5e-4)
    assert got[fair.DP_DIFF + suffix] == pytest.approx(want["dp"], abs=5e-4)
    assert got[fair.EOPP_DIFF + suffix] == pytest.approx(want["eopp"], abs=5e-4)
    assert got[fair.EODDS_DIFF + suffix] == pytest.approx(want["eodds"], abs=5e-4)


def vega(at) -> list:
    return [c.proto for c in at.get("vega_lite_chart")]


def scrub_positions(protos: list) -> list[dict]:
    """Per chart, where its scrubbing parameters start (the sliders' values on the server's run)."""
    return [{p["name"]: p["value"] for p in json.loads(c.spec).get("params", []) if p["name"].startswith("scrub__")}
            for c in protos]


def group_table(at) -> pd.DataFrame:
    return next(t.value for t in at.table if "base rate" in t.value.columns)


def test_default_view_matches_independent_numbers():
    at = open_page(PAGE)
    assert_clean(at)
    ind = independent()
    want = numpy_rates(ind["recorded"], decisions(ind, 0.5, 0.5), ind["group"])
    assert_headline(at, want)
    table = group_table(at)
    for g in ("A", "B"):
        for k in ("base rate", "selection rate", "TPR", "FPR", "precision"):
            assert table.loc[g, k] == pytest.approx(want[g][k], abs=5e-4)  # shown to three decimals
    assert len(vega(at)) == 6  # data (2), rates and scores, two frontiers; no mitigation until one is picked
    text = " ".join(m.value for m in at.markdown)
    assert "Base rates differ" in text and "Chouldechova" in text
    assert any(link.proto.page.endswith("views/beyond/interpretability.py") or "interpretability" in link.proto.page
               for link in at.get("page_link"))
    assert "synthetic" in " ".join(c.value for c in at.caption).lower() + text.lower()


def test_threshold_moves_never_refit_and_never_change_a_spec():
    at = open_page(PAGE)
    specs = [p.spec for p in vega(at)]
    data = [{d.name: d.data.data for d in p.datasets} for p in vega(at)]
    fits = fair.FIT_COUNT["n"]
    ind = independent()
    at.slider(key=fair.THRESHOLD_KEY).set_value(0.35).run()
    assert_clean(at)
    assert fair.FIT_COUNT["n"] == fits, "moving the threshold refitted a model"
    assert [without_scrub_starts(p.spec) for p in vega(at)] == [without_scrub_starts(p) for p in specs]
    assert [{d.name: d.data.data for d in p.datasets} for p in vega(at)] == data
    assert scrub_positions(vega(at)) == [{}, {}] + [{charts.scrub_param(fair.THRESHOLD_KEY): 0.35}] * 4
    assert_headline(at, numpy_rates(ind["recorded"], decisions(ind, 0.35, 0.35), ind["group"]))
    # one threshold per group: group B's slider moves group B's rates only
    at.radio(key=fair.MODE_KEY).set_value(fair.PER_GROUP).run()
    per_group = [p.spec for p in vega(at)]
    at.slider(key=fair.THRESHOLD_B_KEY).set_value(0.3).run()
    assert_clean(at)
    assert fair.FIT_COUNT["n"] == fits
    assert [without_scrub_starts(p.spec) for p in vega(at)] == [without_scrub_starts(p) for p in per_group]
    assert scrub_positions(vega(at)) == [{}, {}] + [{charts.scrub_param(fair.THRESHOLD_A_KEY): 0.5,
                                                     charts.scrub_param(fair.THRESHOLD_B_KEY): 0.3}] * 4
    want = numpy_rates(ind["recorded"], decisions(ind, 0.5, 0.3), ind["group"])
    assert_headline(at, want)
    table = group_table(at)
    assert table.loc["B", "selection rate"] == pytest.approx(want["B"]["selection rate"], abs=5e-4)
    assert table.loc["A", "selection rate"] == pytest.approx(want["A"]["selection rate"], abs=5e-4)
    assert at.slider(key=fair.THRESHOLD_KEY).disabled and not at.slider(key=fair.THRESHOLD_A_KEY).disabled


def test_the_labels_switch_recounts_without_refitting():
    at = open_page(PAGE)
    fits = fair.FIT_COUNT["n"]
    at.radio(key=fair.LABELS_KEY).set_value(fair.TRUTH).run()
    assert_clean(at)
    assert fair.FIT_COUNT["n"] == fits
    ind = independent()
    assert_headline(at, numpy_rates(ind["truth"], decisions(ind, 0.5, 0.5), ind["group"]))


@pytest.mark.parametrize("key, value, kwargs", [
    (fair.BIAS_KEY, 0.65, {"bias": 0.65}),
    (fair.USE_GROUP_KEY, True, {"use_group": True}),
    (fair.USE_PROXY_KEY, False, {"use_proxy": False}),
])
def test_model_controls_refit_and_change_the_numbers(key, value, kwargs):
    at = open_page(PAGE)
    before = shown(at)
    fits = fair.FIT_COUNT["n"]
    widget = at.slider(key=key) if key == fair.BIAS_KEY else at.toggle(key=key)
    widget.set_value(value).run()
    assert_clean(at)
    ind = independent(**kwargs)
    want = numpy_rates(ind["recorded"], decisions(ind, 0.5, 0.5), ind["group"])
    assert_headline(at, want)
    assert shown(at)[fair.DP_DIFF] != before[fair.DP_DIFF]
    if fair.FIT_COUNT["n"] == fits:  # the fit may already be cached by an earlier test in this process
        fair.plain_model.clear()
        fair.scored.clear()
        fair.rates_at.clear()
        fair.threshold_view.clear()
        at.run()
        assert fair.FIT_COUNT["n"] > fits


def test_mitigation_panel_and_its_controls():
    at = open_page(PAGE, query={fair.MITIGATION_KEY: fair.POSTPROCESSING, fair.CONSTRAINT_KEY: fair.EQUALISED_ODDS})
    assert_clean(at)
    view = fair.mitigation_view(((fair.POSTPROCESSING, fair.EQUALISED_ODDS),), 0.3, False, True, fair.RECORDED, 42)
    got = view.methods["threshold optimiser, equalised odds"]
    shown_now = shown(at)
    assert shown_now[fair.EODDS_DIFF + fair.MITIGATED] == pytest.approx(got.equalised_odds, abs=5e-4)
    assert shown_now[fair.ACCURACY + fair.MITIGATED] == pytest.approx(got.accuracy, abs=5e-4)
    assert len(vega(at)) == 8
    at.selectbox(key=fair.CONSTRAINT_KEY).set_value(fair.DEMOGRAPHIC_PARITY).run()
    assert_clean(at)
    dp = fair.mitigation_view(((fair.POSTPROCESSING, fair.DEMOGRAPHIC_PARITY),), 0.3, False, True,
                              fair.RECORDED, 42).methods["threshold optimiser, demographic parity"]
    assert shown(at)[fair.DP_DIFF + fair.MITIGATED] == pytest.approx(dp.demographic_parity, abs=5e-4)
    # moving a threshold refits no mitigation
    fits = fair.FIT_COUNT["n"]
    at.slider(key=fair.THRESHOLD_KEY).set_value(0.45).run()
    assert fair.FIT_COUNT["n"] == fits
    at.toggle(key=fair.COMPARE_KEY).set_value(True).run()
    assert_clean(at)
    table = next(df.value for df in at.dataframe if "model" in df.value.columns)
    assert list(table["model"]) == list(fair.MODEL_NAMES)


def test_url_restores_the_controls_and_numbers():
    query = {fair.BIAS_KEY: "0.5", fair.USE_GROUP_KEY: "true", fair.LABELS_KEY: fair.TRUTH,
             fair.MODE_KEY: fair.PER_GROUP, fair.THRESHOLD_A_KEY: "0.55", fair.THRESHOLD_B_KEY: "0.4",
             "app.seed": "7"}
    at = open_page(PAGE, query=query)
    assert_clean(at)
    assert at.slider(key=fair.BIAS_KEY).value == pytest.approx(0.5)
    assert at.radio(key=fair.MODE_KEY).value == fair.PER_GROUP
    ind = independent(0.5, True, True, 7)
    assert_headline(at, numpy_rates(ind["truth"], decisions(ind, 0.55, 0.4), ind["group"]))
    code = next(c.value for c in at.code if "MetricFrame" in c.value and "cut = " in c.value)
    printed = run_exported_script(code)
    for name, value in shown(at).items():
        assert printed[name] == pytest.approx(value, abs=5e-4), name


# ---- the question bank's links ---------------------------------------------------------------------
def url_value(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def bank_links() -> list[tuple[str, dict, list]]:
    entries = yaml.safe_load((ROOT / "sample_data" / "bank_parts" / "part3.yaml").read_text())
    return [(e["id"], link["state"], link.get("checks", [])) for e in entries for link in e.get("show_me", [])
            if link["page"] == "fairness"]


def test_the_bank_links_the_ethics_questions_here():
    ids = {i for i, _, _ in bank_links()}
    assert ids == {"eth-fairness-criteria", "eth-fairness-impossibility", "eth-proxies", "eth-mitigation",
                   "eth-bias-sources", "eth-feedback-loops"}
    entries = {e["id"]: e for e in yaml.safe_load((ROOT / "sample_data" / "bank_parts" / "part3.yaml").read_text())}
    for i in ids:
        assert entries[i]["kind"] == "technical" and "fairness" in entries[i]["pages"]


@pytest.mark.parametrize("entry, state, checks", bank_links(), ids=[i for i, _, _ in bank_links()])
def test_a_bank_link_opens_with_its_values_accepted_and_its_checks_hold(entry, state, checks):
    query = {k: url_value(v) for k, v in state.items()}
    at = open_page(PAGE, query=query)
    assert_clean(at, entry)
    assert not [c.value for c in at.caption if "link's value" in c.value], "a value of the link was rejected"
    values = shown(at)
    for check in checks:
        metric, expect = check["metric"], check["expect"]
        if expect in ("above", "below"):
            assert (values[metric] > check["value"]) if expect == "above" else (values[metric] < check["value"]), check
        else:
            other = open_page(PAGE, query={**query, **{k: url_value(v) for k, v in check["than"].items()}})
            assert_clean(other, entry)
            there = shown(other)[metric]
            assert (values[metric] > there) if expect == "higher" else (values[metric] < there), (check, there)


def test_page_questions_come_from_the_bank():
    """The footer's questions are the bank's entries that list this page (no list in the view)."""
    source = (ROOT / PAGE).read_text()
    entries = yaml.safe_load((ROOT / "sample_data" / "bank_parts" / "part3.yaml").read_text())
    listed = [e["question"] for e in entries if "fairness" in e.get("pages", [])]
    assert 5 <= len(listed) <= 7
    assert not re.search(r"^QUESTIONS\s*=", source, re.M)
    assert not re.search(r"\bst\.cache_", source)


@pytest.mark.parametrize("seed", (*SEEDS, 1))
def test_the_default_state_shows_the_page_lesson(seed):
    """components/page_lessons.py's sentence for this page, on the default settings (bias 0.3, no group column,
    area income kept, one threshold of 0.5, the recorded decisions), computed here with scikit-learn."""
    from components import page_lessons

    assert "area income carries part of the group" in page_lessons.LESSONS["fairness"].sentence
    s = fair.FairnessSettings(seed=seed)
    assert (s.bias, s.use_group, s.use_proxy, s.labels) == (0.3, False, True, fair.RECORDED)
    unaware = independent(s.bias, False, True, seed)
    rates = numpy_rates(unaware["recorded"], decisions(unaware, 0.5, 0.5), unaware["group"])
    assert rates["A"]["selection rate"] - rates["B"]["selection rate"] > 0.2  # "far less often"
    neither = independent(s.bias, False, False, seed)
    dp_neither = numpy_rates(neither["recorded"], decisions(neither, 0.5, 0.5), neither["group"])["dp"]
    assert 0.1 < dp_neither < rates["dp"]  # dropping area income narrows the gap without closing it
