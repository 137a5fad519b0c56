"""Data-leakage lab: the leaky estimate, the correct estimate and a truly held-out score, side by side."""
import pandas as pd
import streamlit as st

from components import charts, datasets
from components import leakage as lk
from components.ui import common, controls

st.title("Data leakage")
st.caption("Four classic leaks. Each is measured the leaky way and the correct way, and both are checked "
           "against data the procedure never saw: which estimate lied?")

c1, c2 = st.columns([3, 1])
experiment = controls.bound(c1.selectbox, "Experiment", lk.EXPERIMENTS, index=lk.EXPERIMENTS.index(lk.EXPERIMENT_DEFAULT),
                          key=lk.EXPERIMENT_KEY)
leaky_view = controls.bound(c2.toggle, "Do it the leaky way", value=lk.LEAKY_DEFAULT, key=lk.LEAKY_KEY,
                       help="Switch between the leaky and the correct procedure; both are computed once.")
seed = common.seed()


@st.cache_data(max_entries=32, show_spinner=False)
def run_selection(n_features: int, k: int, seed: int) -> lk.LeakResult:
    return lk.feature_selection_experiment(n_features, k, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def run_preprocessing(name: str, prep: str, seed: int, n_samples: int, noise: float) -> lk.LeakResult:
    ds = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    return lk.preprocessing_experiment(ds.X, ds.y, prep, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def run_target(noise: float, seed: int) -> lk.LeakResult:
    ds = datasets.load("churn")
    return lk.target_leak_experiment(ds.X, ds.y, noise, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def run_time(seed: int, model_name: str, trend: bool) -> lk.LeakResult:
    return lk.time_series_experiment(seed, model_name, trend)


@st.cache_data(max_entries=8, show_spinner=False)
def run_time_repeats(seed: int, model_name: str, trend: bool) -> pd.DataFrame:
    bar = st.progress(0.0, text=f"The experiment on {lk.TS_REPEATS} series…")
    reps = lk.time_series_repeats(seed, model_name, trend, progress=bar.progress)
    bar.empty()
    return reps


@st.cache_data(max_entries=64, show_spinner=False)
def chart_specs(_summary: pd.DataFrame, _folds: pd.DataFrame, key: tuple) -> dict:
    """The estimates chart and both per-fold charts, built once per result (key: its numbers), so the
    leaky/correct toggle only picks a cached spec."""
    metric, better = key[0], key[1]
    out = {"summary": charts.bar_chart(_summary, x="score", y="estimate", sort=None, height=220, x_title=metric,
                                       title=f"Estimates and held-out scores ({better} is better)").to_dict()}
    for proc in ("leaky", "correct"):
        out[proc] = charts.bar_chart(_folds[_folds["procedure"] == proc], x="score", y="fold", sort=None, height=220,
                                     x_title=metric, title=f"Per-fold scores, {proc} procedure").to_dict()
    return out


@st.cache_data(max_entries=16, show_spinner=False)
def series_spec(seed: int, trend: bool) -> dict:
    return charts.line_chart(lk.series_frame(seed, trend), "t", "value", color="part", height=220,
                             title="The series: shuffled folds train on points later than the ones they test; "
                                   "the future is held out").to_dict()


def fmt(v: float) -> str:
    return f"{v:.3f}"


def render() -> None:
    code_args: dict = {}
    series = story = repeats = None
    if experiment == lk.SELECTION:
        a, b = st.columns(2)
        n_features = controls.bound(a.slider, "Number of noise features", lk.N_FEATURES_MIN, lk.N_FEATURES_MAX,
                              lk.N_FEATURES_DEFAULT, lk.N_FEATURES_STEP, key=lk.N_FEATURES_KEY)
        k = controls.bound(b.slider, "Features kept (SelectKBest k)", lk.K_MIN, lk.K_MAX, lk.K_DEFAULT, 1, key=lk.K_KEY)
        st.markdown(f"{lk.N_NOISE} rows, {n_features} features of pure Gaussian noise, labels that are coin flips. "
                    "Nothing can be learned: any score above 50% is an illusion.")
        with st.spinner("Cross-validating both ways…"):
            res = run_selection(n_features, k, seed)
        code_args = dict(n_features=n_features, k=k)
    elif experiment == lk.PREPROCESSING:
        a, b = st.columns(2)
        prep = controls.bound(a.selectbox, "What is fitted before the split", lk.PREPS, index=lk.PREPS.index(lk.PREP_DEFAULT),
                           key=lk.PREP_KEY)
        data_opt = controls.bound(b.selectbox, "Data", lk.DATA_OPTIONS, index=lk.DATA_OPTIONS.index(lk.DATA_DEFAULT),
                               key=lk.DATA_KEY,
                               help="The leak is biggest where the honest score has most room to be flattered.")
        name = common.dataset_name() if data_opt == lk.SIDEBAR else data_opt
        ds_task = datasets.REGISTRY[name].task
        if ds_task != datasets.CLASSIFICATION:
            common.require_task(common.current_dataset(), datasets.CLASSIFICATION)
            return
        two_d = name in datasets.TWO_D
        n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if two_d else 0
        noise = float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if two_d else 0.0
        st.markdown(f"**{name}** (least frequent class as positive), "
                    f"{int(lk.TEST_SIZE * 100)}% locked away first as the held-out set.")
        with st.spinner("Cross-validating both ways…"):
            res = run_preprocessing(name, prep, seed, n_samples, noise)
        code_args = dict(prep=prep, dataset=name, n_samples=n_samples or 300, noise=noise)
    elif experiment == lk.TARGET:
        leak_noise = controls.bound(st.slider, "Noise in the leaking column (share of rows flipped)", lk.LEAK_NOISE_MIN,
                               lk.LEAK_NOISE_MAX, lk.LEAK_NOISE_DEFAULT, lk.LEAK_NOISE_STEP, key=lk.LEAK_NOISE_KEY)
        st.markdown(f"The churn table plus **{lk.LEAK_FEATURE}**: a column filled in *after* a customer "
                    "churned. It predicts churn almost perfectly in the data you have, and is empty (0) for every "
                    "customer you will actually score.")
        with st.spinner("Cross-validating both ways…"):
            res = run_target(leak_noise, seed)
        code_args = dict(leak_noise=leak_noise)
    else:
        a, b, c = st.columns([2, 1, 1.4])
        model_name = controls.bound(a.selectbox, "Model on the lags", lk.TS_MODELS, index=lk.TS_MODELS.index(lk.TS_MODEL_DEFAULT),
                                 key=lk.TS_MODEL_KEY,
                                 help="A forest can only predict values like those it trained on; a linear model "
                                      "on the lags extrapolates.")
        trend = controls.bound(b.toggle, "Trend", value=lk.TS_TREND_DEFAULT, key=lk.TS_TREND_KEY,
                         help="A rising trend makes the future leave the range of the past.")
        repeat = controls.bound(c.toggle, f"Repeat on {lk.TS_REPEATS} series", value=lk.TS_REPEAT_DEFAULT, key=lk.TS_REPEAT_KEY, help="One held-out future is a noisy judge: run the experiment on "
                                                    f"{lk.TS_REPEATS} series (a few seconds with the forest).")
        st.markdown(f"A seasonal series{' with a rising trend' if trend else ''}; the model predicts the next value "
                    f"from the last {lk.TS_LAGS}. The last {lk.TS_HOLDOUT} points are the future, held out.")
        other_name = lk.TS_LINEAR if model_name == lk.TS_FOREST else lk.TS_FOREST
        with st.spinner("Cross-validating both ways, with both models…"):
            res = run_time(seed, model_name, trend)
            other = run_time(seed, other_name, trend)
        story = lk.time_series_story(res, model_name, other, other_name)
        series = lk.series_frame(seed, trend)
        if repeat:
            repeats = run_time_repeats(seed, model_name, trend)
        code_args = dict(ts_model=model_name, trend=trend)

    if res.note:
        st.caption(res.note)
    better = "higher" if res.higher_is_better else "lower"
    cols = st.columns(4 if not res.same_model else 3)
    cols[0].metric("Leaky CV estimate", fmt(res.leaky), delta=f"{res.leaky - res.held_leaky:+.3f} vs held-out",
                   delta_color="off")
    cols[1].metric("Correct CV estimate", fmt(res.correct),
                   delta=f"{res.correct - res.held_correct:+.3f} vs held-out", delta_color="off")
    if res.same_model:
        cols[2].metric("Truly held-out", fmt(res.held_correct),
                       help="Both procedures ship the same final model; only their estimates differ.")
    else:
        cols[2].metric("Held-out (leaky model)", fmt(res.held_leaky),
                       help="The leaking column is not known yet when the model is used.")
        cols[3].metric("Held-out (correct model)", fmt(res.held_correct))
    said = lk.verdicts(res)
    if leaky_view:
        st.warning(f"{said['leaky']} {said['closer']}")
    elif lk.within_noise(res):
        st.success(f"{said['correct']} {said['closer']}")
    else:
        st.info(f"{said['correct']} {said['closer']}")
    if story:
        st.markdown(story)

    summary = pd.DataFrame({
        "estimate": ["leaky CV", "correct CV", "held-out (leaky model)", "held-out (correct model)"],
        "score": [res.leaky, res.correct, res.held_leaky, res.held_correct]})
    if res.same_model:
        summary = summary.iloc[:3].replace({"held-out (leaky model)": "truly held-out"})
    if res.chance is not None:
        summary = pd.concat([summary, pd.DataFrame({"estimate": ["chance / majority class"], "score": [res.chance]})],
                            ignore_index=True)
    shown = "leaky" if leaky_view else "correct"
    key = (res.metric, better, res.leaky, res.correct, res.held_leaky, res.held_correct, res.chance,
           tuple(res.folds["score"].round(12)))
    specs = chart_specs(summary, res.folds, key)
    left, right = st.columns(2)
    left.vega_lite_chart(spec=specs["summary"])
    right.vega_lite_chart(spec=specs[shown])
    with st.expander("Estimates and per-fold scores (tables)"):
        st.dataframe(summary, hide_index=True)
        st.dataframe(res.folds.pivot(index="fold", columns="procedure", values="score"))
    if series is not None:
        st.vega_lite_chart(spec=series_spec(seed, trend))
        with st.expander("The series (table)"):
            st.dataframe(series, hide_index=True)
    if repeats is not None:
        st.markdown(lk.repeats_sentence(repeats, model_name))
        with st.expander(f"The {lk.TS_REPEATS} series (table)"):
            st.dataframe(repeats, hide_index=True)

    common.page_footer(
        questions=[
            "What is data leakage, and how do you detect it?",
            "Why must feature selection happen inside cross-validation?",
            "Why fit scaling, imputation or SMOTE on the training split only? How do pipelines help?",
            "What is target leakage? Give an example (e.g. a column recorded after churn).",
            "How do you cross-validate a time series, and when does shuffled K-fold flatter a model there?",
            "Your model scores 99% in validation and poorly in production: what do you check first?",
        ],
        code=lk.export_code(experiment, seed, **code_args),
        explanation=(
            "Each experiment runs two procedures on the same development data. The **leaky** one lets information "
            "from the validation rows (or from the future, or from the label itself) reach the model before it is "
            "scored; the **correct** one keeps every fitted step inside the cross-validation folds (a scikit-learn "
            "or imbalanced-learn `Pipeline`, `TimeSeriesSplit`, only features known at prediction time). Both are "
            "then compared with a score on data neither procedure touched. That score is a sample too: the boxes "
            "give its standard error and say whether each estimate lies within two standard errors of it, so a "
            "single seed can show a correct estimate further off than a leaky one. A leak is a bias: it pushes the "
            "estimate the same way on average, and a big leak does so on nearly every seed. Scaling and mean "
            "imputation leak little here (their statistics barely change between folds), which is why the habit "
            "matters: the same mistake with feature selection, SMOTE or target encoding is costly.\n\n"
            "**Time series.** Shuffled K-fold trains on points that come after the ones it tests; time-ordered "
            "folds (`TimeSeriesSplit`) never do, like the real future. How much the shuffle flatters depends on "
            "what the model can do with those later points. On this series the gap comes from the trend: the later, "
            "higher points sit in training, so shuffled folds only ask the model to interpolate within a range it "
            "has seen, while the future climbs past it. A random forest cannot predict above the values it trained "
            "on and is flattered most; a linear model on the same lags extrapolates and is flattered little. "
            "Switch the trend off and the forest's shuffled estimate lands close to the held-out score: here, rows "
            "that are near-duplicates of their neighbours in time (autocorrelation) add little, because the lags "
            "already hand every model the recent past. They matter when features reach forward (a centred moving "
            "average) or when a flexible model has no lags and memorises rows. Time-ordered CV has its own cost: its "
            "first folds train on less data, and with a forest each fold's error depends on how far its test "
            "window climbs past its training range. Repeat the experiment on ten series to separate the leak's "
            "bias from that noise. The Applications page's time-series tab shows the other side: a linear "
            "autoregression, for which shuffled folds are close to right."),
    )


render()
