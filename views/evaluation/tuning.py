"""Tuning lab: grid vs random vs Bayesian search with the same budget on the same score surface."""
import pandas as pd
import streamlit as st

from components import charts, datasets
from components import tuning as tn
from components.code_export import dataset_code
from components.ui import common, controls

st.title("Hyper-parameter tuning")
st.caption("An RBF support-vector machine has two hyper-parameters, C and gamma. Their cross-validated score "
           "is computed once over a log grid; three search strategies then spend the same budget on it, and each "
           "one's winner is checked on a test set that no search saw.")

c1, c2, c3 = st.columns([1.8, 1.8, 1.4])  # room for the toggle's label on one line
budget = controls.bound(c1.slider, "Budget (trials per strategy)", tn.BUDGET_MIN, tn.BUDGET_MAX, tn.BUDGET_DEFAULT, 1,
                   key=tn.BUDGET_KEY,
                   help="Each strategy may evaluate this many (C, gamma) settings.")
show = controls.bound(c2.selectbox, "Trials drawn on the surface", tn.SHOW_OPTIONS, index=tn.SHOW_OPTIONS.index(tn.SHOW_DEFAULT),
                    key=tn.SHOW_KEY)
halving = controls.bound(c3.toggle, "Add successive halving", value=tn.HALVING_DEFAULT, key=tn.HALVING_KEY,
                    help="A fourth strategy: many candidates on a quarter of the rows, the better half promoted to "
                         "half the rows, then to all. Computes the surface on ¼ and ½ of the rows too (once).")

name = common.dataset_name()
seed = common.seed()
two_d = name in datasets.TWO_D
n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if two_d else 0
noise = float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if two_d else 0.0
classification = datasets.REGISTRY[name].task == datasets.CLASSIFICATION
metric = "accuracy" if classification else "R²"


@st.cache_data(max_entries=16, show_spinner=False)
def rows(name: str, seed: int, n_samples: int, noise: float) -> tuple:
    """Development rows (the surface and the searches) and the test rows locked away before them."""
    ds = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    return tn.split_rows(ds.X, ds.y, ds.task == datasets.CLASSIFICATION, seed)


@st.cache_data(max_entries=48, show_spinner="Computing the score surface once (100 settings × 3 folds)…")
def surface(name: str, seed: int, n_samples: int, noise: float, fraction: float = 1.0) -> pd.DataFrame:
    clf = datasets.REGISTRY[name].task == datasets.CLASSIFICATION
    X, y = rows(name, seed, n_samples, noise)[:2]
    return tn.score_surface(*tn.fraction_rows(X, y, clf, seed, fraction), clf, seed)


@st.cache_data(max_entries=64, show_spinner="Running the searches…")
def searches(name: str, seed: int, n_samples: int, noise: float, budget: int, halving: bool) -> pd.DataFrame:
    trials = tn.run_searches(surface(name, seed, n_samples, noise), budget, seed)
    if halving:
        surfaces = {f: surface(name, seed, n_samples, noise) if f >= 1 else surface(name, seed, n_samples, noise, f)
                    for f in tn.RUNGS}
        trials = pd.concat([trials.assign(**{"rows used": 1.0}), tn.run_halving(surfaces, budget, seed)],
                           ignore_index=True)
    return trials


@st.cache_data(max_entries=64, show_spinner="Cross-validating each winner for real and scoring it on the test set…")
def winners(name: str, seed: int, n_samples: int, noise: float, budget: int, halving: bool) -> pd.DataFrame:
    clf = datasets.REGISTRY[name].task == datasets.CLASSIFICATION
    trials = searches(name, seed, n_samples, noise, budget, halving)
    return tn.check_winners(surface(name, seed, n_samples, noise), trials, *rows(name, seed, n_samples, noise), clf,
                            seed)


@st.cache_data(max_entries=64, show_spinner=False)
def chart_specs(name: str, seed: int, n_samples: int, noise: float, budget: int, show: str, halving: bool) -> dict:
    """Both charts built once per (budget, strategy shown); the replay step is a parameter inside them.
    Specs skip Altair's schema validation for speed; tests validate the same builders."""
    surf = surface(name, seed, n_samples, noise)
    trials = searches(name, seed, n_samples, noise, budget, halving)
    clf = datasets.REGISTRY[name].task == datasets.CLASSIFICATION
    domain = None if clf else (max(float(surf["score"].min()), float(surf["score"].max()) - 1.0),
                               float(surf["score"].max()))
    shown = trials if show == tn.ALL else trials[trials["strategy"] == show]
    score_name = "accuracy" if clf else "R²"
    surface_chart = charts.surface_chart(
        surf, "log10 C", "log10 gamma", "score", trials=shown, color="strategy",
        label=None if show in (tn.ALL, tn.HALVING) else "trial", value_domain=domain, step=budget,
        title=f"CV {score_name} over C and gamma; trials: {show}")
    best_chart = charts.best_so_far_chart(trials, budget, y_title=f"best {score_name} so far")
    best = best_chart.to_dict(validate=False)
    # two fifths of the page: the legend goes below the plot and the x title is shortened, or the plot is a sliver
    best["layer"][0]["encoding"]["x"]["title"] = "trials (halving: a trial on fewer rows costs less)"
    best.setdefault("config", {})["legend"] = {"orient": "bottom", "direction": "horizontal", "columns": 2}
    return {"surface": surface_chart.to_dict(validate=False), "best": best}


surf = surface(name, seed, n_samples, noise)
_, y_dev, _, y_test = rows(name, seed, n_samples, noise)
n_dev, n_test = len(y_dev), len(y_test)
trials = searches(name, seed, n_samples, noise, budget, halving)
specs = chart_specs(name, seed, n_samples, noise, budget, show, halving)
strategies = tn.STRATEGIES + ((tn.HALVING,) if halving else ())


@st.fragment
def replay() -> None:
    """Scrubbing the trials reruns only this: metrics from cached trials, charts by swapping one parameter."""
    step = controls.bound(st.slider, "Replay: show trials 1 … n", tn.STEP_MIN, tn.STEP_MAX, tn.STEP_MAX, 1, key=tn.STEP_KEY, help="Scrub through the searches in order (no refit: the trials are cached).")
    n = min(step, budget)
    upto = trials[trials["trial"] <= n]
    cols = st.columns(len(strategies) + 1)
    cols[0].metric(f"Best on the full grid ({len(surf)} settings)", f"{surf['score'].max():.3f}",
                   help=f"The largest of {len(surf)} noisy cross-validated scores: an optimistic estimate for new "
                        "data (its test score is in the table below).")
    for col, strat in zip(cols[1:], strategies):
        part = upto[upto["strategy"] == strat]
        if strat == tn.HALVING:
            full = part[part["rows used"] >= 1]
            col.metric(f"{strat}, {len(part)} tried, {len(full)} on all rows",
                       f"{full['score'].max():.3f}" if len(full) else "–",
                       help="Only scores on all the rows count: the cheap rungs only decide who is promoted.")
        else:
            col.metric(f"{strat}, best of {len(part)}", f"{part['score'].max():.3f}" if len(part) else "–",
                       help="Read from the surface by interpolation; below, the winner is cross-validated for real.")
    if step > budget:
        st.caption(f"Showing all {budget} trials: the budget ends the replay.")
    if classification:
        st.caption(f"A cross-validated accuracy here is a share of {n_dev} rows: one row is worth "
                   f"{1 / n_dev:.3f}, so strategies within that of each other are tied.")
    if show == tn.HALVING and not halving:
        st.info("Turn on *Add successive halving* to draw its trials.")
    if int(budget ** 0.5) ** 2 < budget:
        st.caption(f"Grid search can only use a full m × m grid: {int(budget ** 0.5) ** 2} of the {budget} trials.")
    left, right = st.columns([3, 2])
    left.vega_lite_chart(spec=charts.set_param(specs["surface"], charts.STEP_PARAM, n))
    right.vega_lite_chart(spec=charts.set_param(specs["best"], charts.STEP_PARAM, n))
    with st.expander("Trials and the surface (tables)"):
        st.dataframe(tn.best_per_strategy(upto), hide_index=True)
        st.dataframe(upto if show == tn.ALL else upto[upto["strategy"] == show], hide_index=True)
        st.dataframe(surf.pivot(index="log10 C", columns="log10 gamma", values="score"))


replay()

st.subheader(f"The winners, checked (after all {budget} trials)")
checks = winners(name, seed, n_samples, noise, budget, halving)
st.markdown(tn.interpolation_sentence(checks, budget))
st.markdown(tn.grid_max_sentence(checks, len(surf), n_test))
st.dataframe(checks.drop(columns=tn.EXACT), hide_index=True,
             column_config={c: st.column_config.NumberColumn(format="%.4f")
                            for c in ("log10 C", "log10 gamma", tn.REPLAYED, tn.TRUE_CV, tn.TEST, tn.TEST_SE)})

st.subheader("Hyper-parameters vs learned parameters")
st.markdown("A **hyper-parameter** is set before training and chosen by search and validation; a **parameter** "
            "is what training itself fits to the data.")
st.dataframe(tn.HYPER_VS_LEARNED, hide_index=True)

common.page_footer(
    questions=[
        "What is the difference between hyper-parameters and model parameters? Give examples.",
        "Grid search vs random search: why does random search often win with the same budget?",
        "How does Bayesian optimisation choose the next hyper-parameters to try?",
        "Why search C and gamma on a log scale?",
        "Why tune with cross-validation, and why keep a separate test set for the final estimate?",
        "What is successive halving, how does Hyperband build on it, and when do they save time?",
    ],
    code=tn.export_code(dataset_code(name, n_samples or 300, noise, seed), classification, budget, seed,
                        halving=halving),
    explanation=(
        f"A random {tn.TEST_SHARE:.0%} of **{name}** is locked away first as a test set ({n_test} rows). The heatmap is "
        f"the {tn.FOLDS}-fold cross-validated {metric} of an RBF SVM for every (C, gamma) on a "
        f"{tn.RESOLUTION} × {tn.RESOLUTION} log grid, on {n_dev} development rows, computed once. Each search then "
        "spends the budget on it, every proposed point scored by interpolating the surface: the same landscape for "
        "every strategy, instantly. Interpolation is exact on the surface's points and elsewhere can read above or "
        "below the true CV score, so each search's winner is cross-validated for real below and scored on the test "
        "set, beside the full grid's best. **Grid search** spends the "
        "budget on a coarse lattice and tests only a few distinct values of each parameter; **random search** tries a new value of both on every trial; "
        "**Bayesian optimisation** (optuna's TPE) starts randomly, then concentrates trials where good scores "
        "were found. The line chart is the best score each has found after n trials. **Successive halving** "
        "(scikit-learn's `HalvingRandomSearchCV`; toggle it on) spends the same budget differently: it scores many "
        "random candidates on a quarter of the rows (a quarter of the cost each), promotes the better half to half "
        "the rows, and the better half of those to all rows; its line starts only when full-data scores exist. "
        "Its cheap rungs read their own surfaces, cross-validated on fewer rows. **Hyperband** (not shown) builds on "
        "it: it runs several successive-halving brackets, from many candidates on a small share of the rows to a few "
        "candidates on all of them, because how early a candidate can be judged depends on the problem."),
)
