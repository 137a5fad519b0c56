"""Tuning lab: grid vs random vs Bayesian search with the same budget on the same score surface.

The surface (the heavy first computation) is cached per dataset and seed; the budget reruns the cheap
replays on it, the replay's own controls rerun their panel alone, and the winners, cross-validated for
real, come last."""
import pandas as pd
import streamlit as st

from components import datasets
from components import tuning as tn
from components.code_export import dataset_code
from components.ui import common, controls, show


def shared_controls() -> tn.TuningSettings:
    """The budget and the halving toggle feed every panel; the replay's controls live in its panel."""
    c1, c2 = st.columns([2, 1])  # room for the toggle's label on one line
    budget = controls.bound(c1.slider, "Budget (trials per strategy)", tn.BUDGET_MIN, tn.BUDGET_MAX,
                            tn.BUDGET_DEFAULT, 1, key=tn.BUDGET_KEY,
                            help="Each strategy may evaluate this many (C, gamma) settings.")
    halving = controls.bound(c2.toggle, "Add successive halving", value=tn.HALVING_DEFAULT, key=tn.HALVING_KEY,
                             help="A fourth strategy: many candidates on a quarter of the rows, the better half "
                                  "promoted to half the rows, then to all. Computes the surface on ¼ and ½ of the "
                                  "rows too (once).")
    name = common.dataset_name()
    two_d = name in datasets.TWO_D
    return tn.TuningSettings(
        dataset=name, seed=common.seed(),
        n_samples=int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if two_d else 0,
        noise=float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if two_d else 0.0,
        budget=int(budget), halving=bool(halving))


@st.fragment
def replay_panel(s: tn.TuningSettings, surf: pd.DataFrame, trials: pd.DataFrame, n_dev: int) -> None:
    """The strategy drawn and the replay step rerun this panel alone, over the cached surface and trials
    it was given. The charts hold the trials so far and the rule at every step and follow the step slider
    in the browser before this rerun (components/ui/scrub.py): a step re-embeds nothing."""
    c1, c2 = st.columns([1, 2])
    shown = controls.bound(c1.selectbox, "Trials drawn on the surface", tn.SHOW_OPTIONS,
                           index=tn.SHOW_OPTIONS.index(tn.SHOW_DEFAULT), key=tn.SHOW_KEY)
    step = controls.bound(c2.slider, "Replay: show trials 1 … n", tn.STEP_MIN, tn.STEP_MAX, tn.STEP_MAX, 1,
                          key=tn.STEP_KEY, help="Scrub through the searches in order (no refit: the trials are cached).")
    n = min(step, s.budget)
    upto = trials[trials["trial"] <= n]
    cols = st.columns(len(s.strategies) + 1)
    cols[0].metric(f"Best on the full grid ({len(surf)} settings)", f"{surf['score'].max():.3f}",
                   help=f"The largest of {len(surf)} noisy cross-validated scores: an optimistic estimate for new "
                        "data (its test score is in the table below).")
    for col, strat in zip(cols[1:], s.strategies):
        part = upto[upto["strategy"] == strat]
        if strat == tn.HALVING:
            full = part[part["rows used"] >= 1]
            candidates, evaluations, per_rung = tn.halving_counts(part)
            col.metric(tn.halving_label(candidates, evaluations, len(full)),
                       f"{full['score'].max():.3f}" if len(full) else "–", help=tn.halving_help(per_rung))
        else:
            col.metric(f"{strat}, best of {len(part)}", f"{part['score'].max():.3f}" if len(part) else "–",
                       help="Read from the surface by interpolation; below, the winner is cross-validated for real.")
    for note in tn.replay_notes(step, s.budget, s.classification, n_dev):
        st.caption(note)
    if shown == tn.HALVING and not s.halving:
        st.info("Turn on *Add successive halving* to draw its trials.")
    specs = tn.replay_charts(*s.data, s.budget, s.halving, shown)
    left, right = show.columns([3, 2])
    show.chart(specs["surface"], target=left, scrub=(tn.STEP_KEY, step))
    show.chart(specs["best"], target=right, scrub=(tn.STEP_KEY, step))
    with st.expander("Trials and the surface (tables)"):
        st.dataframe(tn.best_per_strategy(upto), hide_index=True)
        st.dataframe(upto if shown == tn.ALL else upto[upto["strategy"] == shown], hide_index=True)
        st.dataframe(surf.pivot(index="log10 C", columns="log10 gamma", values="score"))


def winners_panel(s: tn.TuningSettings, n_settings: int, n_test: int) -> None:
    """The heavy comparison, last: each search's winner cross-validated for real and scored on the test set
    (each setting's check cached on its own)."""
    st.subheader(f"The winners, checked (after all {s.budget} trials)")
    checks = tn.winners(*s.data, s.budget, s.halving)
    st.markdown(tn.interpolation_sentence(checks, s.budget))
    st.markdown(tn.grid_max_sentence(checks, n_settings, n_test))
    st.dataframe(checks.drop(columns=tn.EXACT), hide_index=True,
                 column_config={c: st.column_config.NumberColumn(format="%.4f")
                                for c in ("log10 C", "log10 gamma", tn.REPLAYED, tn.TRUE_CV, tn.TEST, tn.TEST_SE)})


st.title("Hyper-parameter tuning")
st.caption("An RBF support-vector machine has two hyper-parameters, C and gamma. Their cross-validated score "
           "is computed once over a log grid; three search strategies then spend the same budget on it, and each "
           "one's winner is checked on a test set that no search saw.")
settings = shared_controls()
_, y_dev, _, y_test = tn.dev_rows(*settings.data)
n_dev, n_test = len(y_dev), len(y_test)
surface = tn.surface(*settings.data)
replay_panel(settings, surface, tn.trials(*settings.data, settings.budget, settings.halving), n_dev)

st.subheader("Hyper-parameters vs learned parameters")
st.markdown("A **hyper-parameter** is set before training and chosen by search and validation; a **parameter** "
            "is what training itself fits to the data.")
st.dataframe(tn.HYPER_VS_LEARNED, hide_index=True)

winners_panel(settings, len(surface), n_test)

name, seed, n_samples, noise = settings.data
metric = settings.metric
budget, halving, classification = settings.budget, settings.halving, settings.classification
common.page_footer(
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
