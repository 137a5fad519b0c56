"""Data-leakage lab: the leaky estimate, the correct estimate and a truly held-out score, side by side."""
import streamlit as st

from components import datasets
from components import leakage as lk
from components.ui import common, controls, show

st.title("Data leakage")
st.caption("Four classic leaks. Each is measured the leaky way and the correct way, and both are checked "
           "against data the procedure never saw: which estimate lied?")

c1, c2 = st.columns([3, 1])
experiment = controls.bound(c1.selectbox, "Experiment", lk.EXPERIMENTS, index=lk.EXPERIMENTS.index(lk.EXPERIMENT_DEFAULT),
                          key=lk.EXPERIMENT_KEY)
leaky_view = controls.bound(c2.toggle, "Do it the leaky way", value=lk.LEAKY_DEFAULT, key=lk.LEAKY_KEY,
                       help="Switch between the leaky and the correct procedure; both are computed once.")
seed = common.seed()


def fmt(v: float) -> str:
    return f"{v:.3f}"


def render() -> None:
    code_args: dict = {}
    series = story = None
    model_name, repeat = lk.TS_MODEL_DEFAULT, False
    if experiment == lk.SELECTION:
        a, b = st.columns(2)
        n_features = controls.bound(a.slider, "Number of noise features", lk.N_FEATURES_MIN, lk.N_FEATURES_MAX,
                              lk.N_FEATURES_DEFAULT, lk.N_FEATURES_STEP, key=lk.N_FEATURES_KEY)
        k = controls.bound(b.slider, "Features kept (SelectKBest k)", lk.K_MIN, lk.K_MAX, lk.K_DEFAULT, 1, key=lk.K_KEY)
        st.markdown(f"{lk.N_NOISE} rows, {n_features} features of pure Gaussian noise, labels that are coin flips. "
                    "Nothing can be learned: any score above 50% is an illusion.")
        view = lk.experiment_view(lk.SELECTION, (n_features, k, seed))
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
        view = lk.experiment_view(lk.PREPROCESSING, (name, prep, seed, n_samples, noise))
        code_args = dict(prep=prep, dataset=name, n_samples=n_samples or 300, noise=noise)
    elif experiment == lk.TARGET:
        leak_noise = controls.bound(st.slider, "Noise in the leaking column (share of rows flipped)", lk.LEAK_NOISE_MIN,
                               lk.LEAK_NOISE_MAX, lk.LEAK_NOISE_DEFAULT, lk.LEAK_NOISE_STEP, key=lk.LEAK_NOISE_KEY)
        st.markdown(f"The churn table plus **{lk.LEAK_FEATURE}**: a column filled in *after* a customer "
                    "churned. It predicts churn almost perfectly in the data you have, and is empty (0) for every "
                    "customer you will actually score.")
        view = lk.experiment_view(lk.TARGET, (leak_noise, seed))
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
        view = lk.experiment_view(lk.TIME, (seed, model_name, trend))
        other = lk.experiment_view(lk.TIME, (seed, other_name, trend))["res"]
        story = lk.time_series_story(view["res"], model_name, other, other_name)
        series = lk.series_view(seed, trend)
        code_args = dict(ts_model=model_name, trend=trend)

    res = view["res"]
    if res.note:
        st.caption(res.note)
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

    shown = "leaky" if leaky_view else "correct"
    left, right = show.columns(2)
    show.chart(view["specs"]["summary"], target=left)
    show.chart(view["specs"][shown], target=right)
    with st.expander("Estimates and per-fold scores (tables)"):
        st.dataframe(view["summary"], hide_index=True)
        st.dataframe(res.folds.pivot(index="fold", columns="procedure", values="score"))
    if series is not None:
        show.chart(series["spec"])
        with st.expander("The series (table)"):
            st.dataframe(series["frame"], hide_index=True)
    if experiment == lk.TIME and repeat:  # the heavy, opt-in part last: each series cached on its own
        seeds = range(seed, seed + lk.TS_REPEATS)
        bar = st.progress(0.0, text=f"The experiment on {lk.TS_REPEATS} series…")
        results = []
        for i, s in enumerate(seeds):
            results.append((s, lk.experiment_view(lk.TIME, (s, model_name, trend))["res"]))
            bar.progress((i + 1) / lk.TS_REPEATS, text=f"Series {i + 1} of {lk.TS_REPEATS}…")
        bar.empty()
        repeats = lk.repeats_frame(results)
        st.markdown(lk.repeats_sentence(repeats, model_name))
        with st.expander(f"The {lk.TS_REPEATS} series (table)"):
            st.dataframe(repeats, hide_index=True)

    common.page_footer(
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
