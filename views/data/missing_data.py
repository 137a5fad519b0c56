"""Missing-data lab: inject MCAR / MAR / MNAR gaps into a complete table, impute, compare to the truth."""
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from components import charts, datasets
from components import missing_data as md
from components.ui import chart_cache, common


@st.cache_data(max_entries=16, show_spinner=False)
def _data(name, n_samples, noise, seed):
    d = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    X, y = md.subsample(d.X, d.y, d.task, seed)
    return X.astype(float), y, d.task


@st.cache_data(max_entries=32, show_spinner=False)
def _inject(data_key, mechanism, pct, cols):
    X, _, _ = _data(*data_key)
    return md.inject_missing(X, list(cols), pct, mechanism, data_key[-1])


@st.cache_data(max_entries=256, show_spinner=False)
def _draw(data_key, mechanism, pct, cols, i):
    """One multiple-imputation draw: cached alone, so raising m only computes the new draws."""
    return md.impute_draw(_inject(data_key, mechanism, pct, cols), data_key[-1], i)


@st.cache_data(max_entries=256, show_spinner=False)
def _cv_draw(data_key, mechanism, pct, cols, i):
    _, y, task = _data(*data_key)
    return md.cv_draw(_inject(data_key, mechanism, pct, cols), y, task, data_key[-1], i)


@st.cache_data(max_entries=128, show_spinner=False)
def _impute(data_key, mechanism, pct, cols, strategy, k, estimator, m):
    X, _, _ = _data(*data_key)
    X_miss = _inject(data_key, mechanism, pct, cols)
    if strategy == "multiple (pooled)":
        return md.pool_draws(X, X_miss, list(cols), [_draw(data_key, mechanism, pct, cols, i) for i in range(m)])
    return md.impute_one(X, X_miss, list(cols), strategy, k, estimator, m, data_key[-1])


@st.cache_data(max_entries=128, show_spinner=False)
def _cv(data_key, mechanism, pct, cols, strategy, k, estimator, m):
    _, y, task = _data(*data_key)
    if strategy == "multiple (pooled)":
        return md.pool_cv([_cv_draw(data_key, mechanism, pct, cols, i) for i in range(m)])
    return md.cv_one(_inject(data_key, mechanism, pct, cols), y, task, strategy, k, estimator, m, data_key[-1])


@st.cache_data(max_entries=32, show_spinner=False)
def _plan(data_key, mechanism, chosen):
    """The columns that lose values, MAR's driver (kept fully observed) and the note saying so."""
    affected, driver, note = md.mar_plan(_data(*data_key)[0], list(chosen), mechanism)
    return tuple(affected), driver, note


@st.cache_data(max_entries=32, show_spinner=False)
def _meta(data_key, cols):
    """The column most correlated with the first affected one, and that correlation."""
    return md.true_correlation(_data(*data_key)[0], list(cols))


@st.cache_data(max_entries=64, show_spinner=False)
def _blanked(data_key, mechanism, pct, cols):
    return int(_inject(data_key, mechanism, pct, cols)[list(cols)].isna().to_numpy().sum())


def _eff(strategy, k, estimator, m):
    return md.effective_params(strategy, k, estimator, m)


@st.cache_data(max_entries=64, show_spinner="Imputing with every strategy…")
def _results(miss, k, estimator, m):
    """What the page shows about the imputations, assembled once per input. Each strategy's
    imputation is cached on its own (keyed by the parameters that strategy uses), so a change of k,
    the estimator or m refits only the strategy it belongs to. The CV scores are apart
    (_cv_results): the page draws everything else before it starts cross-validating."""
    data_key, mechanism, pct, cols = miss
    results = {s: _impute(data_key, mechanism, pct, cols, s, *_eff(s, k, estimator, m)) for s in md.STRATEGIES}
    summary = pd.DataFrame([r["row"] for r in results.values()])
    scored = summary.dropna(subset=["RMSE on missing cells"])
    mi = results["multiple (pooled)"]
    return {"summary": summary.set_index("strategy"), "summary_table": summary.round(4),
            "rmse": scored[["strategy", "RMSE on missing cells"]],
            "corr": summary.dropna(subset=[md.CORR_COLUMN])[["strategy", md.CORR_COLUMN]],
            "best": scored.sort_values("RMSE on missing cells").iloc[0][["strategy", "RMSE on missing cells"]].tolist(),
            "spread": mi["spread"], "draws": mi["draws"], "draw rmse": mi["draw rmse"],
            # the first affected column's mean in each imputer's completed table (the gap sentence)
            "means": {s: float(results[s]["completed"][cols[0]].mean()) for s in md.IMPUTERS}}


def _cv_with_progress(miss, k, estimator, m) -> None:
    """Every strategy's CV score into its cache, with a progress bar while any is computed (the
    multiple imputation's draws one by one: they are most of the time)."""
    data_key, mechanism, pct, cols = miss
    steps = [(s, None) for s in md.STRATEGIES if s != "multiple (pooled)"] + [("multiple (pooled)", i)
                                                                              for i in range(m)]
    bar = st.progress(0.0, text="Cross-validating with each strategy…")
    for done, (strategy, draw) in enumerate(steps):
        text = (f"Cross-validating with multiple imputation, draw {draw + 1} of {m}…" if draw is not None
                else f"Cross-validating with {strategy} imputation…")
        bar.progress(done / len(steps), text=text)
        if draw is None:
            _cv(data_key, mechanism, pct, cols, strategy, *_eff(strategy, k, estimator, m))
        else:
            _cv_draw(data_key, mechanism, pct, cols, draw)
    bar.empty()


@st.cache_data(max_entries=64, show_spinner=False)
def _cv_results(miss, k, estimator, m):
    """The CV score of the model with each strategy (each cached on its own, see _cv) beside the
    complete table's."""
    data_key, mechanism, pct, cols = miss
    cv = pd.DataFrame([_cv(data_key, mechanism, pct, cols, s, *_eff(s, k, estimator, m)) for s in md.STRATEGIES])
    ceiling = _complete(data_key)
    cv_table = pd.concat([cv, pd.DataFrame([{"strategy": "complete data (no missing)", "CV score": ceiling,
                                             "spread between draws": np.nan, "note": ""}])], ignore_index=True)
    return {"cv": cv.dropna(subset=["CV score"]),
            "notes": [(r["strategy"], r["note"]) for _, r in cv.iterrows() if r["note"]],
            "cv_table": cv_table.round(4), "ceiling": ceiling}


@st.cache_data(max_entries=64, show_spinner=False)
def _pattern(miss, shown):
    """The pattern chart's long frame and the per-column table (pandas work: once per input)."""
    data_key, mechanism, pct, cols = miss
    X, _, _ = _data(*data_key)
    X_miss = _inject(data_key, mechanism, pct, cols)
    shown = list(shown)
    per_col = pd.DataFrame({
        "missing %": X_miss[shown].isna().mean() * 100,
        "mean (truth)": X[shown].mean(), "mean (observed cells)": X_miss[shown].mean()})
    return md.pattern_frame(X_miss, shown), per_col.round(3)


@st.cache_data(max_entries=64, show_spinner=False)
def _distribution_observed(miss):
    """The truth and the observed cells of the first three affected columns (long; strategy "")."""
    data_key, mechanism, pct, cols = miss
    X, _, _ = _data(*data_key)
    return md.observed_frame(X, _inject(data_key, mechanism, pct, cols), list(cols[:3])).assign(strategy="")


@st.cache_data(max_entries=256, show_spinner=False)
def _distribution_imputed(data_key, mechanism, pct, cols, strategy, *eff):
    """One strategy's imputed values of the first three affected columns (long), cached like its
    imputation: a change of k, the estimator or m rebuilds one strategy's part, not eight."""
    done = _impute(data_key, mechanism, pct, cols, strategy, *eff)["completed"]
    return md.imputed_frame(done, list(cols[:3])).assign(strategy=strategy)


@st.cache_data(max_entries=32, show_spinner=False)
def _distributions(miss, k, estimator, m):
    """Long frame of the first three affected columns' values: the truth, the observed cells, and
    every strategy's imputed table (column ``strategy``; "" for the truth and the observed cells),
    built only when a histogram is (it is read by the chart builder)."""
    data_key, mechanism, pct, cols = miss
    parts = [_distribution_observed(miss)] + [
        _distribution_imputed(data_key, mechanism, pct, cols, s, *_eff(s, k, estimator, m)) for s in md.STRATEGIES]
    return pd.concat(parts, ignore_index=True)


@st.cache_data(max_entries=32, show_spinner=False)
def _distribution_tables(miss, k, estimator, m):
    """Every strategy's summary table (truth, observed, imputed; the first three columns), computed
    in one groupby with the page's first draw, so inspecting another strategy only reads one."""
    dist = _distributions(miss, k, estimator, m)
    # describe()'s eight statistics, each aggregated over all groups at once: groupby.describe runs
    # a describe per group (~50 ms for the 30 groups here, this ~6 ms); the test compares the two
    g = dist.groupby(["strategy", "column", "version"])["value"]
    q = g.quantile([0.25, 0.5, 0.75]).unstack()
    every = pd.DataFrame({"count": g.count().astype(float), "mean": g.mean(), "std": g.std(), "min": g.min(),
                          "25%": q[0.25], "50%": q[0.5], "75%": q[0.75], "max": g.max()}).round(3)
    shared = every.loc[""]  # the truth and the observed cells
    return {s: pd.concat([shared, every.loc[s]]).sort_index() for s in md.STRATEGIES}


@st.cache_data(max_entries=64, show_spinner=False)
def _draws(miss, m):
    data_key, mechanism, pct, cols = miss
    X, _, _ = _data(*data_key)
    mi = _impute(data_key, mechanism, pct, cols, "multiple (pooled)", *_eff("multiple (pooled)", 0, "", m))
    draws = md.draws_frame(X, _inject(data_key, mechanism, pct, cols), cols[0], mi["draws"])
    return draws, md.draws_table(draws).round(3)


@st.cache_data(max_entries=64, show_spinner=False)
def _intervals(miss, estimator, m):
    """The mean of the first affected column with its interval: complete, observed, one mean-imputed
    and one iteratively imputed table, and the m draws pooled by Rubin's rules (all cached inputs)."""
    data_key, mechanism, pct, cols = miss
    X, _, _ = _data(*data_key)
    done = {s: _impute(data_key, mechanism, pct, cols, s, *_eff(s, 0, estimator, m))
            for s in ("mean", "iterative", "multiple (pooled)")}
    table, pooled = md.mean_intervals(X, _inject(data_key, mechanism, pct, cols), cols[0],
                                      done["mean"]["completed"][cols[0]], done["iterative"]["completed"][cols[0]],
                                      done["multiple (pooled)"]["draws"])
    rubin = pd.DataFrame([{"m": pooled["m"], "pooled estimate": pooled["estimate"], "W (within)": pooled["W"],
                           "B (between)": pooled["B"], "T = W + (1 + 1/m) B": pooled["T"],
                           "share of T from the gaps": pooled["lambda"], "df": pooled["df"]}])
    return table, pooled, table.round(4), rubin.round(6)


@st.cache_resource(max_entries=1, show_spinner=False)
def _interval_template(_intervals) -> dict:
    """The interval chart converted once: its spec depends on the numbers only through its one dataset,
    so every input swaps its table in (md.swap_shared_data) without building an Altair chart."""
    return charts.to_spec(md.interval_chart(_intervals))


@st.cache_data(max_entries=64, show_spinner=False)
def _interval_spec(miss, estimator, m) -> dict:
    table = _intervals(miss, estimator, m)[0]
    return md.swap_shared_data(_interval_template(table), table)


# Chart builders take the small keys of their inputs (not the frames) and read the cached frames
# themselves: chart_cache then hashes a tuple per rerun instead of a DataFrame.
def _pattern_chart(miss, shown):
    return charts.tile_chart(_pattern(miss, shown)[0], "column", "row", "missing", domain=["observed", "missing"],
                             palette=["#e8e8e8", charts.VERMILION], height=300, y_labels=False)


def _rmse_chart(miss, k, estimator, m):
    rmse = _results(miss, k, estimator, m)["rmse"]
    # a constant fill can be 50x worse than k-NN: as bars on a linear axis the good strategies were 1-3 px
    # slivers; dots on a log axis, best first
    log = bool((rmse["RMSE on missing cells"] > 0).all())
    return charts.score_dot_chart(rmse.sort_values("RMSE on missing cells"), "RMSE on missing cells", "strategy",
                                  height=210, log_x=log,
                                  x_title="RMSE on missing cells" + (" (log scale)" if log else ""))


def _corr_chart(miss, k, estimator, m, title, x_title):
    return charts.bar_chart(_results(miss, k, estimator, m)["corr"], md.CORR_COLUMN, "strategy", sort=None,
                            height=250, title=title, x_title=x_title)


INSPECT_PARAM = "inspect"


def _histogram_chart(rows: pd.DataFrame, name: str):
    """One column's histograms with every strategy's imputed values in the data; a Vega-Lite
    parameter picks the strategy shown, so inspecting another one swaps a value in the cached spec
    (charts.set_param) instead of building a chart. The filter runs before the binning: the bins
    are those of the truth, the observed cells and the one strategy shown. The legend goes below."""
    chart = charts.histogram(rows, "value", color="version", bins=25, height=330, title=name, steps=True)
    return chart.add_params(alt.param(name=INSPECT_PARAM, value=md.INSPECT_DEFAULT)).transform_filter(
        f"datum.strategy === '' || datum.strategy === {INSPECT_PARAM}").configure_legend(
        orient="bottom", direction="horizontal", columns=1)


@st.cache_resource(max_entries=64, show_spinner=False)
def _histogram_template(name: str, _rows: pd.DataFrame) -> dict:
    """A column's histogram, converted once: its spec depends on the rows only through its data (Vega-Lite
    bins and counts them), so every input swaps its rows in (charts.swap_top_data) without Altair."""
    return charts.to_spec(_histogram_chart(_rows, name))


@st.cache_data(max_entries=128, show_spinner=False)
def _histogram_spec(miss, k, estimator, m, name) -> dict:
    dist = _distributions(miss, k, estimator, m)
    rows = dist[dist["column"] == name]
    return charts.swap_top_data(_histogram_template(name, rows), rows)


def _draws_chart(miss, m, column):
    return charts.scatter_chart(md.draw_errors(_draws(miss, m)[0]), "row", md.ERROR_COLUMN, color="kind",
                                height=240, x_title=f"row with a missing {column}", rule_y=0.0,
                                y_title=md.ERROR_COLUMN, size=60)


def _cv_chart(miss, k, estimator, m, title):
    # dots on a zoomed axis: the strategies' scores are often a few hundredths apart, and bars from 0
    # drew them as equal lengths
    cv = _cv_results(miss, k, estimator, m)
    return charts.score_dot_chart(cv["cv"][["strategy", "CV score", "spread between draws", "note"]], "CV score",
                                  "strategy", reference=cv["ceiling"], reference_label="complete data (no missing)",
                                  height=260, title=title)


@st.cache_data(max_entries=16, show_spinner=False)
def _complete(data_key):
    X, y, task = _data(*data_key)
    return md.complete_cv_score(X, y, task, data_key[-1])


@st.cache_data(max_entries=2, show_spinner=False)
def _fertility():
    return md.load_fertility()


@st.cache_data(max_entries=2, show_spinner=False)
def _fertility_gaps():
    real = _fertility()
    gaps = real[real.isna().any(axis=1)]
    long = gaps.isna().reset_index().melt(id_vars="country", var_name="year", value_name="missing")
    long["missing"] = np.where(long["missing"], "missing", "observed")
    return long, len(real), real.shape[1], int(real.isna().sum().sum()), len(gaps)


@st.cache_data(max_entries=64, show_spinner=False)
def _holdout_one(strategy, k, estimator, seed):
    return md.holdout_one(_fertility(), strategy, k, estimator, seed)


def _holdout(k, estimator, seed):
    """Each strategy cached alone: k refits only k-NN, the estimator only the iterative imputer."""
    rows = [_holdout_one(s, *md.effective_params(s, k, estimator, 0)[:2], seed) for s in md.REAL_STRATEGIES]
    return pd.DataFrame(rows), len(md.holdout_cells(_fertility(), seed)[2])


def _fertility_chart():
    long, _, _, _, n_gaps = _fertility_gaps()
    return charts.tile_chart(long, "year", "country", "missing", domain=["observed", "missing"],
                             palette=["#e8e8e8", charts.VERMILION], height=max(200, 14 * n_gaps))


@st.cache_data(max_entries=32, show_spinner=False)
def _holdout_table(k, estimator, seed):
    check, n_hidden = _holdout(k, estimator, seed)
    return check, check.round(4), n_hidden


def _holdout_chart(k, estimator, seed):
    check, _, n_hidden = _holdout_table(k, estimator, seed)
    return charts.bar_chart(check, "RMSE on hidden cells", "strategy", height=180,
                            title=f"{n_hidden} observed cells hidden and re-imputed (births per woman)")


@st.cache_data(max_entries=16, show_spinner=False)
def _registry_default_columns(name):
    return md.default_columns(datasets.load(name).X)


def _default_columns(ds):
    """md.default_columns of the shared dataset (nunique over every column: cached per dataset; the
    generated 2-D sets have two columns and are computed directly)."""
    return md.default_columns(ds.X) if ds.name in datasets.TWO_D else _registry_default_columns(ds.name)


st.title("Missing-data lab")
st.caption("The table starts complete, so the truth behind every blanked cell is known: each strategy "
           "is scored against it, and by the cross-validated score of one model downstream.")

ds = common.current_dataset()

# The affected-column options follow the shared dataset. When the learner switches dataset, the old
# column names are invalid: start from this dataset's default columns (a deep link's own choice, read
# on the first run, is kept).
if st.session_state.get(md.LAST_DATASET_KEY, ds.name) != ds.name:
    st.session_state[md.COLUMNS_KEY] = _default_columns(ds)
st.session_state[md.LAST_DATASET_KEY] = ds.name

c1, c2, c3 = st.columns([1.1, 1, 2])
mechanism = c1.segmented_control("Missingness mechanism", md.MECHANISMS, default=md.MECHANISM_DEFAULT,
                                 required=True, key=md.MECHANISM_KEY, bind="query-params",
                                 help=" ".join(f"**{k}**: {v}" for k, v in md.MECHANISM_HELP.items()))
pct = c2.slider("Missing % per affected column", md.PCT_MIN, md.PCT_MAX, md.PCT_DEFAULT, md.PCT_STEP,
                key=md.PCT_KEY, bind="query-params")
columns = c3.multiselect("Affected columns", ds.feature_names, default=_default_columns(ds),
                         key=md.COLUMNS_KEY, bind="query-params",
                         help="Columns of the shared dataset that lose values. Others stay complete.")
c4, c5, c6 = st.columns(3)
k = c4.slider("k (k-NN imputer)", md.K_MIN, md.K_MAX, md.K_DEFAULT, key=md.K_KEY, bind="query-params")
estimator = c5.selectbox("Iterative imputer's estimator", md.ESTIMATORS,
                         index=md.ESTIMATORS.index(md.ESTIMATOR_DEFAULT), key=md.ESTIMATOR_KEY,
                         bind="query-params")
m = c6.slider("Multiple imputation: m draws", md.M_MIN, md.M_MAX, md.M_DEFAULT, key=md.M_KEY,
              bind="query-params")



def render(ds, chosen, mechanism, pct, k, estimator, m):
    seed = common.seed()
    is_2d = ds.name in datasets.TWO_D
    n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if is_2d else 0
    noise = float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if is_2d else 0.0
    data_key = (ds.name, n_samples, noise, seed)
    X, y, task = _data(*data_key)
    if len(X) < len(ds.X):
        st.caption(f"{ds.name} has {len(ds.X):,} rows; this page uses a seeded, stratified sample of {len(X)}.")
    # MAR keeps its driver fully observed: the columns that lose values can be fewer than the chosen ones
    cols_key, driver, mar_note = _plan(data_key, mechanism, tuple(chosen))
    if mar_note:
        st.info(mar_note)
    if not cols_key:
        return
    columns = list(cols_key)
    partner, true_corr = _meta(data_key, cols_key)
    miss = (data_key, mechanism, pct, cols_key)
    res = _results(miss, k, estimator, m)
    summary = res["summary"]

    if mechanism == "MAR":
        st.caption(f"MAR driver: rows with a large **{driver}** (always observed) lose values more often.")

    blanked = _blanked(data_key, mechanism, pct, cols_key)
    rows_lost = int(summary.loc["drop rows", "rows lost"])
    best_strategy, best_rmse = res["best"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Cells blanked", f"{blanked:,}")
    m2.metric("Rows lost by dropping", f"{rows_lost:,} of {len(X):,}")
    m3.metric("Lowest imputation RMSE", f"{best_rmse:.3g}", best_strategy, delta_color="off")
    m4.metric("True correlation", "n/a" if np.isnan(true_corr) else f"{true_corr:.3f}",
              help=f"corr({columns[0]}, {partner}) on the complete table: {partner} is the column most "
                   f"correlated with {columns[0]}.")

    left, right = st.columns(2)
    with left:
        st.markdown("##### Missingness pattern (first 120 rows)")
        shown = tuple((columns + [c for c in [driver] if c and c not in columns])[:15])
        chart_cache.draw(_pattern_chart, miss, shown)
        with st.expander("Pattern as a table"):
            st.dataframe(_pattern(miss, shown)[1])
    with right:
        st.markdown("##### Imputation error against the truth")
        chart_cache.draw(_rmse_chart, miss, k, estimator, m)
        if len(res["corr"]) and not np.isnan(true_corr):
            chart_cache.draw(_corr_chart, miss, k, estimator, m, f"corr({columns[0]}, {partner})",
                             f"after imputation (truth {true_corr:.3f})")
        st.caption(f"**multiple (pooled)** here is each cell's mean over the m = {m} draws: a point imputation, "
                   "scored like the others. It is not multiple imputation's result, which is the pooled "
                   "analysis further down.")
        corr_text = md.corr_sentence(dict(zip(res["corr"]["strategy"], res["corr"][md.CORR_COLUMN])), true_corr,
                                     columns[0], partner)
        if corr_text:
            st.caption(corr_text)
        with st.expander("Error, rows lost and the correlation each strategy leaves, as a table"):
            st.caption(f"`{md.CORR_COLUMN}` is corr({columns[0]}, {partner}) after imputation; the truth is "
                       f"{true_corr:.3f}.")
            st.dataframe(res["summary_table"], hide_index=True)


    @st.fragment
    def inspect_section():
        """Cheap: reads the cached imputations, never refits."""
        st.markdown("##### Distributions: truth, observed cells, and after imputation")
        strategy = st.selectbox("Strategy to inspect", md.STRATEGIES, index=md.STRATEGIES.index(md.INSPECT_DEFAULT),
                                key=md.INSPECT_KEY, bind="query-params")
        # one chart per column: each gets its own bins and x axis (a shared facet bins every column on the
        # widest range, so a narrow column collapses into two bars)
        for col, name in zip(st.columns(len(columns[:3])), columns[:3]):
            spec = _histogram_spec(miss, k, estimator, m, name)
            col.vega_lite_chart(spec=charts.set_param(spec, INSPECT_PARAM, strategy))
        corr_after = summary.loc[strategy, md.CORR_COLUMN]
        st.caption(f"{strategy}: corr({columns[0]}, {partner}) = "
                   f"{'n/a' if np.isnan(corr_after) else f'{corr_after:.3f}'} (truth {true_corr:.3f}); "
                   f"rows kept {int(summary.loc[strategy, 'rows kept']):,}.")
        with st.expander("Distributions as a table"):
            st.dataframe(_distribution_tables(miss, k, estimator, m)[strategy])


    inspect_section()

    st.markdown(f"##### Multiple imputation: m = {m} completed tables, one analysis each, pooled by Rubin's rules")
    intervals, pooled, interval_table, rubin_table = _intervals(miss, estimator, m)
    st.vega_lite_chart(spec=_interval_spec(miss, estimator, m))
    share_missing = float(np.isnan(_inject(*miss)[columns[0]].to_numpy(float)).mean())
    mi_text = md.mi_sentence(intervals, pooled, columns[0], share_missing)
    st.caption(f"Dots: the mean of {columns[0]}; bars: its {md.LEVEL:.0%} interval; dashed: the complete table's "
               f"mean. {mi_text}")
    with st.expander("Intervals and Rubin's quantities as tables"):
        st.dataframe(interval_table, hide_index=True)
        st.dataframe(rubin_table, hide_index=True)
    chart_cache.draw(_draws_chart, miss, m, columns[0])
    first_spread = float(np.mean(np.std(res["draws"], axis=0)))
    st.caption(md.draws_caption(m, columns[0], first_spread, res["spread"], res["draw rmse"],
                                float(summary.loc["multiple (pooled)", "RMSE on missing cells"])))
    with st.expander("Draws as a table"):
        st.dataframe(_draws(miss, m)[1])

    st.markdown("##### Downstream: cross-validated score with each strategy (imputer inside the CV pipeline)")
    _cv_with_progress(miss, k, estimator, m)
    cv = _cv_results(miss, k, estimator, m)
    model_name = "logistic regression (accuracy)" if task == "classification" else "ridge regression (R²)"
    chart_cache.draw(_cv_chart, miss, k, estimator, m,
                     f"{md.CV_FOLDS}-fold CV, {model_name}; dashed: complete data, {cv['ceiling']:.3f}")
    for strategy, note in cv["notes"]:
        st.info(f"{strategy}: {note}")
    # every row is tested once across the folds: one more row right moves the mean accuracy by 1 / n
    per_row = (f" One test row more or less right moves a score by {1 / len(X):.3f}: gaps of a few rows are "
               "noise." if task == "classification" else "")
    st.caption(f"The axis is zoomed to the scores.{per_row} Drop rows is scored on the complete rows only, a "
               "smaller test set (and under MAR or MNAR not a random one). For multiple (pooled) the model is "
               f"cross-validated on each of the m = {m} draws and the scores averaged (Rubin's pooled estimate); "
               "the table gives the spread between draws.")
    with st.expander("CV scores as a table"):
        st.dataframe(cv["cv_table"], hide_index=True)

    with st.expander("A real table with genuine gaps: World Bank fertility rates, 1990–2011"):
        _, n_real, n_years, n_missing, n_gaps = _fertility_gaps()
        st.caption(f"{n_real} countries and aggregates × {n_years} years, {n_missing} "
                   f"cells missing in the source, in {n_gaps} rows (sample_data/fertility.csv). Here the truth "
                   f"is unknown, so imputation is judged the usual way: hide {md.HOLDOUT_PCT}% of the *observed* "
                   f"cells, impute them, compare (the iterative imputer runs {md.HOLDOUT_ITER_MAX} rounds here).")
        chart_cache.draw(_fertility_chart)
        chart_cache.draw(_holdout_chart, k, estimator, seed)
        st.dataframe(_holdout_table(k, estimator, seed)[1], hide_index=True)

    common.page_footer(
        questions=[
            "What are MCAR, MAR and MNAR, and why does the mechanism matter more than the percentage?",
            "When is dropping rows acceptable, and what does it cost?",
            "Why does mean imputation shrink variance and correlations?",
            "How do k-NN and iterative (MICE-style) imputation work?",
            "What does multiple imputation add over a single imputation?",
            "Why must the imputer be fitted inside the cross-validation pipeline?",
        ],
        code=md.export_code(ds.name, task, columns, pct, mechanism, k, estimator, m, seed, n_samples, noise),
        explanation=(
            f"{pct}% of each affected column was blanked **{mechanism}**. {md.MECHANISM_HELP[mechanism]} "
            "The pattern shows which cells; the RMSE compares every imputed cell with the value that was "
            "removed. Mean, median, most-frequent and constant fills put every gap of a column at one value (a "
            "spike in its histogram) and ignore the other columns; k-NN and iterative imputation predict each "
            "gap from the other columns, so they can recover what those columns know about it. "
            + md.gap_sentence(columns[0], mechanism, float(X[columns[0]].mean()),
                              _inject(*miss)[columns[0]].dropna().to_numpy(float), res["means"])
            + " Under MNAR the chance of a gap depends on the hidden value itself; an imputer recovers part of "
            "the gap only as far as correlated columns carry that value, and nothing in the observed data tells "
            "MNAR from MAR. Multiple imputation draws m plausible completed tables, runs the analysis on "
            "each and pools the results with Rubin's rules: what it adds is an honest interval, one that carries "
            "the uncertainty of the guesses, not a lower RMSE. Not so simple: scikit-learn draws each cell from "
            "its own predictive distribution but does not draw one set of model coefficients per table, as "
            "'proper' multiple imputation does, so B may come out somewhat small. The downstream score fits "
            "the imputer on each training fold only."),
    )


columns = [c for c in columns if c in ds.feature_names]
if columns:
    render(ds, columns, mechanism, pct, k, estimator, m)
else:
    st.info("Pick at least one affected column to blank some of its values.")
