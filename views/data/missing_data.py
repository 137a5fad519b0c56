"""Missing-data lab: inject MCAR / MAR / MNAR gaps into a complete table, impute, compare to the truth.

The light panels come first (the pattern, the single imputations' error, one strategy's distributions);
the heavy ones last, with progress: multiple imputation's m draws with Rubin's intervals, then the CV
score with every strategy. Each strategy is cached on its own inputs (components/missing_data.py)."""
import numpy as np
import streamlit as st

from components import datasets
from components import missing_data as md
from components.ui import common, controls, show

DONE_KEY = "missing._done"  # not a widget: the computations this session has finished (keys), newest last


def _done(key) -> bool:
    return key in st.session_state.get(DONE_KEY, ())


def _mark_done(key) -> None:
    st.session_state[DONE_KEY] = ([k for k in st.session_state.get(DONE_KEY, []) if k != key] + [key])[-32:]


def _with_progress(slot, steps, key) -> None:
    """Run ``steps`` (md.cv_steps, md.draw_steps: each cached alone) under a progress bar in ``slot``
    (an st.empty, so the page's layout is the same with or without the bar). Skipped when this session
    finished them before; a control moved meanwhile stops the run between two steps."""
    if _done(key):
        return
    bar = slot.progress(0.0, text=steps[0][0])
    for i, (text, step) in enumerate(steps):
        bar.progress(i / len(steps), text=text)
        step()
    slot.empty()
    _mark_done(key)


def shared_controls(ds: datasets.Dataset) -> tuple:
    """The controls every panel reads: (mechanism, pct, chosen columns, k, estimator, m)."""
    # The affected-column options follow the shared dataset. When the learner switches dataset, the old
    # column names are invalid: start from this dataset's default columns (a deep link's own choice, read
    # on the first run, is kept).
    defaults = md.default_columns(ds.X) if ds.name in datasets.TWO_D else md.registry_default_columns(ds.name)
    if st.session_state.get(md.LAST_DATASET_KEY, ds.name) != ds.name:
        st.session_state[md.COLUMNS_KEY] = defaults
    st.session_state[md.LAST_DATASET_KEY] = ds.name
    c1, c2, c3 = st.columns([1.1, 1, 2])
    mechanism = controls.bound(c1.segmented_control, "Missingness mechanism", md.MECHANISMS,
                               default=md.MECHANISM_DEFAULT, required=True, key=md.MECHANISM_KEY,
                               help=" ".join(f"**{k}**: {v}" for k, v in md.MECHANISM_HELP.items()))
    pct = controls.bound(c2.slider, "Missing % per affected column", md.PCT_MIN, md.PCT_MAX, md.PCT_DEFAULT,
                         md.PCT_STEP, key=md.PCT_KEY)
    chosen = controls.bound(c3.multiselect, "Affected columns", ds.feature_names, default=defaults,
                            key=md.COLUMNS_KEY,
                            help="Columns of the shared dataset that lose values. Others stay complete.")
    c4, c5, c6 = st.columns(3)
    k = controls.bound(c4.slider, "k (k-NN imputer)", md.K_MIN, md.K_MAX, md.K_DEFAULT, key=md.K_KEY)
    estimator = controls.bound(c5.selectbox, "Iterative imputer's estimator", md.ESTIMATORS,
                               index=md.ESTIMATORS.index(md.ESTIMATOR_DEFAULT), key=md.ESTIMATOR_KEY)
    m = controls.bound(c6.slider, "Multiple imputation: m draws", md.M_MIN, md.M_MAX, md.M_DEFAULT, key=md.M_KEY)
    return mechanism, pct, [c for c in chosen if c in ds.feature_names], k, estimator, m


def write_comparison(where, c: md.Comparison, s: md.MissingSettings, o: md.Overview) -> None:
    """The RMSE and correlation each strategy leaves (light: the single imputations, while multiple
    imputation's draws are computed further down)."""
    with where:
        show.chart(c.rmse_spec)
        if c.corr_spec is not None:
            show.chart(c.corr_spec)
        if c.complete:
            st.caption(f"**multiple (pooled)** here is each cell's mean over the m = {s.m} draws: a point "
                       "imputation, scored like the others. It is not multiple imputation's result, which is the "
                       "pooled analysis further down.")
        else:
            st.caption(f"**multiple (pooled)** joins when its m = {s.m} draws are computed (further down).")
        if c.corr_text:
            st.caption(c.corr_text)
        with st.expander("Error, rows lost and the correlation each strategy leaves, as a table"):
            st.caption(f"`{md.CORR_COLUMN}` is corr({s.gaps.columns[0]}, {o.partner}) after imputation; the truth "
                       f"is {o.true_corr:.3f}.")
            st.dataframe(c.table, hide_index=True)


def lowest_rmse(where, c: md.Comparison) -> None:
    strategy, rmse = c.best
    where.metric("Lowest imputation RMSE", f"{rmse:.3g}", strategy, delta_color="off")


@st.fragment
def inspect_panel(s: md.MissingSettings) -> None:
    """One strategy's distributions beside the truth and the observed cells. A scrubbing control: the
    histograms hold every single imputation (one fit each) and follow the radio in the browser
    (md.inspect_specs); multiple imputation joins them when it is the one inspected (its m draws are the
    heavy panel's work below, so they are not computed here first)."""
    st.markdown("##### Distributions: truth, observed cells, and after imputation")
    strategy = controls.bound(st.radio, "Strategy to inspect", md.STRATEGIES, horizontal=True,
                              index=md.STRATEGIES.index(md.INSPECT_DEFAULT), key=md.INSPECT_KEY)
    seen = md.inspection(s.gaps, strategy, *s.params(strategy))
    ready = tuple(dict.fromkeys(md.LIGHT_STRATEGIES + (strategy,)))
    specs = md.inspect_specs(s.gaps, tuple((name, s.params(name)) for name in ready))
    # one chart per column: each gets its own bins and x axis (a shared facet bins every column on the
    # widest range, so a narrow column collapses into two bars)
    names = s.gaps.columns[:md.SHOWN]
    for col, name in zip(show.columns(len(names)), names):
        show.chart(specs[name], target=col, scrub=(md.INSPECT_KEY, md.STRATEGIES.index(strategy)))
    st.caption(seen.caption)
    with st.expander("Distributions as a table"):
        st.dataframe(seen.table)


def multiple_imputation_panel(s: md.MissingSettings, c: md.Comparison, o: md.Overview, slot, best) -> md.Comparison:
    """Rubin's rules over the m draws, and the draws' errors. When the comparison above shows the single
    imputations only, the m draws are computed here first (with progress) and it is completed in place.
    Returns the complete comparison."""
    st.markdown(f"##### Multiple imputation: m = {s.m} completed tables, one analysis each, pooled by Rubin's rules")
    bar = st.empty()
    if not c.complete:
        _with_progress(bar, md.draw_steps(s), ("draws", s.gaps, s.m))
        c = md.comparison(s, True)
        write_comparison(slot.container(), c, s, o)
        lowest_rmse(best, c)
        _mark_done(("gaps", s.gaps))
    mi = md.multiple_imputation(s.gaps, s.estimator, s.m)
    show.chart(mi.interval_spec)
    st.caption(mi.interval_caption)
    with st.expander("Intervals and Rubin's quantities as tables"):
        st.dataframe(mi.interval_table, hide_index=True)
        st.dataframe(mi.rubin_table, hide_index=True)
    show.chart(mi.draws_spec)
    st.caption(mi.draws_caption)
    with st.expander("Draws as a table"):
        st.dataframe(mi.draws_table)
    return c


def cv_panel(s: md.MissingSettings) -> None:
    st.markdown("##### Downstream: cross-validated score with each strategy (imputer inside the CV pipeline)")
    _with_progress(st.empty(), md.cv_steps(s), ("cv", s.gaps, s.k, s.estimator, s.m))
    cv = md.cv_comparison(s.gaps, s.k, s.estimator, s.m)
    show.chart(cv.spec)
    with st.container():  # one slot for the notes, however many: the elements below keep their place
        for strategy, note in cv.notes:
            st.info(f"{strategy}: {note}")
    st.caption(cv.caption)
    with st.expander("CV scores as a table"):
        st.dataframe(cv.table, hide_index=True)


def fertility_panel(s: md.MissingSettings) -> None:
    with st.expander("A real table with genuine gaps: World Bank fertility rates, 1990–2011"):
        f = md.fertility_gaps()
        st.caption(f"{f.countries} countries and aggregates × {f.years} years, {f.missing} cells missing in the "
                   f"source, in {f.rows_with_gaps} rows (sample_data/fertility.csv). Here the truth is unknown, so "
                   f"imputation is judged the usual way: hide {md.HOLDOUT_PCT}% of the *observed* cells, impute "
                   f"them, compare (the iterative imputer runs {md.HOLDOUT_ITER_MAX} rounds here).")
        show.chart(f.spec)
        spec, table = md.fertility_check(s.k, s.estimator, s.gaps.seed)
        show.chart(spec)
        st.dataframe(table, hide_index=True)


def explanation(s: md.MissingSettings, gap_text: str) -> str:
    g = s.gaps
    return (
        f"{g.pct}% of each affected column was blanked **{g.mechanism}**. {md.MECHANISM_HELP[g.mechanism]} "
        "The pattern shows which cells; the RMSE compares every imputed cell with the value that was "
        "removed. Mean, median, most-frequent and constant fills put every gap of a column at one value (a "
        "spike in its histogram) and ignore the other columns; k-NN and iterative imputation predict each "
        "gap from the other columns, so they can recover what those columns know about it. "
        + gap_text
        + " Under MNAR the chance of a gap depends on the hidden value itself; an imputer recovers part of "
        "the gap only as far as correlated columns carry that value, and nothing in the observed data tells "
        "MNAR from MAR. Multiple imputation draws m plausible completed tables, runs the analysis on "
        "each and pools the results with Rubin's rules: what it adds is an honest interval, one that carries "
        "the uncertainty of the guesses, not a lower RMSE. Not so simple: scikit-learn draws each cell from "
        "its own predictive distribution but does not draw one set of model coefficients per table, as "
        "'proper' multiple imputation does, so B may come out somewhat small. The downstream score fits "
        "the imputer on each training fold only.")


def render(ds: datasets.Dataset, mechanism: str, pct: int, chosen: list[str], k: int, estimator: str, m: int) -> None:
    seed = common.seed()
    is_2d = ds.name in datasets.TWO_D
    n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if is_2d else 0
    noise = float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if is_2d else 0.0
    # MAR keeps its driver fully observed: the columns that lose values can be fewer than the chosen ones
    affected, driver, mar_note = md.plan(ds.name, n_samples, noise, seed, mechanism, tuple(chosen))
    rows = md.row_count(ds.name, n_samples, noise, seed)
    with st.container():  # the notes in one slot: the panels below keep their place whichever show
        if rows < len(ds.X):
            st.caption(f"{ds.name} has {len(ds.X):,} rows; this page uses a seeded, stratified sample of {rows}.")
        if mar_note:
            st.info(mar_note)
        if mechanism == "MAR" and affected:
            st.caption(f"MAR driver: rows with a large **{driver}** (always observed) lose values more often.")
    if not affected:
        return
    s = md.MissingSettings(md.Gaps(ds.name, n_samples, noise, seed, mechanism, pct, affected), k, estimator, m)
    o = md.overview(s.gaps, driver)
    first = affected[0]

    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Cells blanked", f"{o.blanked:,}")
    m2.metric("Rows lost by dropping", f"{o.rows_lost:,} of {o.rows:,}")
    m4.metric("True correlation", "n/a" if np.isnan(o.true_corr) else f"{o.true_corr:.3f}",
              help=f"corr({first}, {o.partner}) on the complete table: {o.partner} is the column most "
                   f"correlated with {first}.")
    left, right = show.columns(2)
    with left:
        st.markdown("##### Missingness pattern (first 120 rows)")
        show.chart(o.pattern_spec)
        with st.expander("Pattern as a table"):
            st.dataframe(o.pattern_table)
    right.markdown("##### Imputation error against the truth")
    # Gaps this session has compared whole before (another k, estimator or m): the whole comparison at
    # once, the old one staying on screen until it is ready. New gaps: the single imputations first, and
    # multiple imputation joins when its draws are computed further down (multiple_imputation_panel).
    complete = _done(("gaps", s.gaps))
    c = md.comparison(s, complete)
    slot = right.container() if complete else right.empty()
    write_comparison(slot if complete else slot.container(), c, s, o)
    if complete:
        lowest_rmse(m3, c)

    inspect_panel(s)
    c = multiple_imputation_panel(s, c, o, slot, m3)
    cv_panel(s)
    fertility_panel(s)
    common.page_footer(md.script(s, o.task), explanation(s, c.gap_text))
    # every strategy's distributions into the cache once the page is drawn (about 10 ms each): inspecting
    # one then only swaps the histograms' dataset
    for strategy in md.STRATEGIES:
        md.inspection(s.gaps, strategy, *s.params(strategy))


st.title("Missing-data lab")
st.caption("The table starts complete, so the truth behind every blanked cell is known: each strategy "
           "is scored against it, and by the cross-validated score of one model downstream.")
ds = common.current_dataset()
mechanism, pct, chosen, k, estimator, m = shared_controls(ds)
if chosen:
    render(ds, mechanism, pct, chosen, k, estimator, m)
else:
    st.info("Pick at least one affected column to blank some of its values.")
