"""Fairness and ethics lab: historical bias in a generated lending table, per-group rates live with the
threshold, the parity criteria and why they conflict, the accuracy-fairness frontier, three mitigations,
and short sections on privacy and transparency."""
from dataclasses import replace

import streamlit as st

from components import fairness as fair
from components.ui import common, controls, show, threshold

EXPLANATION = """
The applicants are **synthetic** (sample_data/make_lending.py): whether one would repay (their creditworthiness)
is drawn with a known probability that depends on their own income, debt, employment and missed payments only,
never on their group or their area. The **historical bias** lives in the labels: the recorded decision equals
creditworthiness, except that each creditworthy applicant of group B was refused with the chosen probability. The
model, a logistic regression, learns from those recorded decisions, as a lender learns from its own history (it
never finds out whether a refused applicant would have repaid); only a simulation can also score it against the
truth. Its score becomes a decision at a **threshold**, one for everyone or one per group. fairlearn's metric
functions (with scikit-learn's precision) give each group's **selection rate** (share approved), **true-positive
rate** (share of the positives approved: the creditworthy, or the recorded approvals, whichever the rates are
measured against), **false-positive rate** (share of the negatives approved) and **precision**. **Demographic
parity** asks for equal selection rates, **equal opportunity** for equal true-positive rates, **equalised odds**
for equal true- and false-positive rates; each difference is the largest gap between the groups, 0 at parity.
Deleting the group column (**fairness through unawareness**) does not close the gap: a proxy such as area income
still carries the group, features that differ between the groups (here income) keep a gap of their own, and
through them the model still learns part of the bias in its labels. When base rates differ, the criteria conflict.
Equal true- and false-positive rates force unequal selection rates unless the classifier is no better than chance
(TPR = FPR), because each group's selection rate is FPR + (TPR − FPR) × its base rate. Equal precision with equal
true-positive rates forces unequal false-positive rates unless no one is approved wrongly (Chouldechova, 2017).
For scores, Kleinberg, Mullainathan and Raghavan (2016) showed that calibration within each group and balance for
both classes (the positives of every group get the same average score, and so do the negatives) can hold together
only with equal base rates or a perfect predictor. The **frontier** is the most accurate pair of thresholds at
each level of disparity; it is read off the test split itself, an optimistic picture: in practice, choose
thresholds on validation data. A rule that picks at random between thresholds, as the threshold optimiser
does, can land above it. Per-group thresholds and the threshold optimiser need the group at decision
time, which anti-discrimination law restricts in many countries and sectors. Measured against biased labels, a
model that copies the bias can look fair: switch to the true creditworthiness to see what the labels hide.
"""


def shared_controls() -> fair.FairnessSettings:
    """The controls every panel reads; the thresholds and the mitigation live in their panels."""
    c1, c2, c3 = st.columns([1.6, 1.2, 1])
    bias = controls.bound(c1.slider, "Historical bias: share of creditworthy group-B applicants refused",
                          fair.BIAS_MIN, fair.BIAS_MAX, fair.BIAS_DEFAULT, fair.BIAS_STEP, key=fair.BIAS_KEY,
                          help="The recorded decisions (the training labels) refused each creditworthy applicant "
                               "of group B with this probability. 0: the labels are the truth.")
    with c2:
        use_group = controls.bound(st.toggle, "Train with the group column", False, key=fair.USE_GROUP_KEY,
                                   help="Give the model the sensitive attribute itself.")
        use_proxy = controls.bound(st.toggle, "Train with area income (a proxy)", True, key=fair.USE_PROXY_KEY,
                                   help="The median income of the applicant's postcode area: it follows the group "
                                        "closely and, once the applicant's own record is known, says nothing "
                                        "more about repayment.")
    labels = controls.bound(c3.radio, "Measure against", fair.LABEL_OPTIONS, key=fair.LABELS_KEY,
                            help="The recorded decisions are what a real audit has. The true creditworthiness is "
                                 "known here only because the data are simulated.")
    return fair.FairnessSettings(bias=round(float(bias), 2), use_group=bool(use_group), use_proxy=bool(use_proxy),
                                 labels=labels, seed=common.seed())


def data_panel(s: fair.FairnessSettings) -> None:
    view = fair.data_view(s.bias, s.seed)
    st.subheader("The data: synthetic applicants, biased decisions")
    st.markdown(fair.data_sentence(view.counts, s.bias) + " " + fair.proxy_sentence(view.proxy_auc, view.income_auc))
    c1, c2 = show.columns(2)
    show.chart(view.specs["base_rates"], target=c1)
    show.chart(view.specs["proxy"], target=c2)
    with st.expander("Applicants per group (table)"):
        st.dataframe(view.counts, hide_index=True)
        st.caption(f"Area income tells the groups apart with a ROC AUC of {view.proxy_auc:.3f}; the applicant's own "
                   f"income with {view.income_auc:.3f}.")


def unawareness_panel(s: fair.FairnessSettings) -> None:
    st.subheader("Fairness through unawareness")
    table = fair.unawareness(s.bias, s.labels, s.seed)
    st.markdown(fair.unawareness_sentence(table))
    st.dataframe(table.round(3), hide_index=True)
    st.caption("The plain logistic regression with each set of inputs, one threshold of 0.5, measured against the "
               f"{s.labels}.")


@st.fragment
def threshold_panel(s: fair.FairnessSettings) -> None:
    """Everything the thresholds change; reruns alone when one moves (no refit). The charts hold every
    threshold and follow the sliders in the browser before this rerun (fair.scrub_specs)."""
    st.subheader("Per-group rates at your threshold(s)")
    c1, c2, c3, c4 = st.columns([1, 1.3, 1.3, 1.3])
    mode = controls.bound(c1.radio, "Thresholds", fair.MODES, key=fair.MODE_KEY,
                          help="One threshold for every applicant, or one for each group (which needs the group "
                               "at decision time).")
    args = (fair.THRESHOLD_MIN, fair.THRESHOLD_MAX, fair.THRESHOLD_DEFAULT, fair.THRESHOLD_STEP)
    t = controls.bound(c2.slider, "Threshold (everyone)", *args, key=fair.THRESHOLD_KEY, disabled=mode != fair.SHARED,
                       help="Approve when the model's score P(approved) ≥ threshold.")
    t_a = controls.bound(c3.slider, "Threshold, group A", *args, key=fair.THRESHOLD_A_KEY,
                         disabled=mode != fair.PER_GROUP)
    t_b = controls.bound(c4.slider, "Threshold, group B", *args, key=fair.THRESHOLD_B_KEY,
                         disabled=mode != fair.PER_GROUP)
    s = replace(s, mode=mode, threshold=threshold.snap(t), threshold_a=threshold.snap(t_a),
                threshold_b=threshold.snap(t_b))
    cut_a, cut_b = s.cuts
    view = fair.threshold_view(*s.model_key[:3], s.labels, s.seed)
    rates = fair.rates_at(*s.model_key[:3], s.labels, s.seed, cut_a, cut_b)
    positive, _ = fair.label_names(s.labels)
    for col, (name, value) in zip(st.columns(4), rates.headline().items()):
        col.metric(name, f"{value:.3f}")
    where = (f"one threshold, {cut_a:.2f}, for everyone" if s.mode == fair.SHARED else
             f"{cut_a:.2f} for group A, {cut_b:.2f} for group B")
    st.caption(f"Approved when the score reaches the threshold: {where}. Test split: "
               f"{int(rates.by_group['applicants'].sum()):,} applicants (A {rates.by_group.loc['A', 'applicants']}, "
               f"B {rates.by_group.loc['B', 'applicants']}), measured against the {s.labels} (positive: {positive}). "
               "Each difference is the largest gap between the groups; 0 is parity.")
    specs, scrub = view.specs[s.mode], fair.scrub_positions(s.mode, cut_a, cut_b)
    c1, c2 = show.columns(2)
    show.chart(specs["rates"], target=c1, scrub=scrub)
    show.chart(specs["scores"], target=c2, scrub=scrub)
    with st.expander("Per-group rates (table: fairlearn's metrics per group)"):
        # a static table: an interactive grid redrawn on every threshold move cost the browser more
        st.table(rates.by_group.round(3))
        st.caption("Precision is undefined (empty) for a group with no one approved.")

    st.markdown("##### Why the criteria cannot all hold")
    st.markdown("\n".join(f"- {line}" for line in fair.impossibility_sentences(rates.by_group, positive)))

    st.markdown("##### The accuracy-fairness frontier")
    c1, c2 = show.columns(2)
    show.chart(specs["frontier_dp"], target=c1, scrub=scrub)
    show.chart(specs["frontier_eo"], target=c2, scrub=scrub)
    st.markdown(view.frontier_text + " " + fair.position_sentence(
        view.frontiers, rates.accuracy, rates.demographic_parity, rates.equalised_odds))
    common.show_code(fair.threshold_script(s))


def frontier_tables(s: fair.FairnessSettings) -> None:
    """The frontiers' numbers; outside the threshold panel because no threshold changes them."""
    view = fair.threshold_view(*s.model_key[:3], s.labels, s.seed)
    st.caption("The frontier is taken over every pair of thresholds on the slider's 0.01 grid (grey points: every "
               "tenth threshold of each group), scored on the test split itself, an optimistic picture of what "
               "choosing thresholds can do.")
    with st.expander("Frontier points (tables)"):
        t1, t2 = st.tabs(["demographic parity", "equalised odds"])
        t1.dataframe(view.frontiers["DP difference"].round(3), hide_index=True)
        t2.dataframe(view.frontiers["EO difference"].round(3), hide_index=True)


@st.fragment
def mitigation_panel(s: fair.FairnessSettings) -> None:
    """Heavy: each mitigation is trained on its own (cached per setting), after every light panel is drawn."""
    st.subheader("Mitigation")
    c1, c2, c3 = st.columns([1.4, 1, 1])
    method = controls.bound(c1.selectbox, "Mitigation", fair.MITIGATIONS, key=fair.MITIGATION_KEY,
                            help="Reweighing weights the training rows, the exponentiated gradient trains under a "
                                 "constraint, the threshold optimiser picks per-group (randomised) thresholds after training.")
    constraint = controls.bound(c2.selectbox, "Constraint", fair.CONSTRAINTS, key=fair.CONSTRAINT_KEY,
                                disabled=method not in fair.USES_CONSTRAINT,
                                help="What the threshold optimiser and the exponentiated gradient equalise.")
    compare = controls.bound(c3.toggle, "Compare every mitigation", False, key=fair.COMPARE_KEY,
                             help="Train all five (reweighing; the optimiser and the gradient under each constraint).")
    s = replace(s, mitigation=method, constraint=constraint)
    chosen = [(method, fair.constraint_used(method, constraint))] if method != fair.NONE else []
    if compare:
        chosen += [c for c in fair.COMPARED if c not in chosen]
    if not chosen:
        st.caption("Pick a mitigation to train it, or compare every one. Each is trained on the recorded decisions "
                   "and drawn against the plain model's frontier.")
        return
    progress = st.progress(0.0, text="Training the mitigations…")
    for i, (m, c) in enumerate(chosen):
        progress.progress(i / len(chosen), text=f"Training: {fair.method_name(m, c)} ({i + 1} of {len(chosen)})…")
        fair.mitigate(m, c, *s.model_key)
    progress.empty()
    view = fair.mitigation_view(tuple(sorted(chosen, key=fair.COMPARED.index)), *s.model_key[:3], s.labels, s.seed)
    if method != fair.NONE:
        name = fair.method_name(method, fair.constraint_used(method, constraint))
        mitigated = view.methods[name]
        for col, (label, value) in zip(st.columns(4), mitigated.headline().items()):
            col.metric(label + fair.MITIGATED, f"{value:.3f}", delta=f"{value - view.plain.headline()[label]:+.3f}",
                       delta_color="normal" if label == fair.ACCURACY else "inverse",
                       help="The change against the plain model at one threshold of 0.5.")
        st.markdown(fair.mitigation_sentence(name, view.plain, mitigated))
        with st.expander(f"What {name} chose (table)"):
            st.dataframe(view.details[name], hide_index=True)
    c1, c2 = show.columns(2)
    show.chart(view.specs["dp"], target=c1)
    show.chart(view.specs["eo"], target=c2)
    measured = "Trained and measured on the recorded decisions" if s.labels == fair.RECORDED else (
        "Trained on the recorded decisions, measured against the true creditworthiness")
    st.caption(f"{measured}. Solid line: the plain model's "
               "frontier (its best pair of thresholds at each difference); dashed: the plain model with one shared "
               "threshold. The threshold optimiser and the exponentiated gradient decide at random between rules "
               "(seeded); the plain model and reweighing use one threshold of 0.5.")
    with st.expander("Every model shown (table)"):
        st.dataframe(view.table.round(3), hide_index=True)
    if method != fair.NONE:
        common.show_code(fair.mitigation_script(s))


def privacy_and_transparency() -> None:
    st.subheader("Privacy and transparency")
    left, right = st.columns(2)
    left.markdown("""
**Privacy.** Removing names and ID numbers does not make data anonymous, and replacing them with codes is
*pseudonymisation*: whoever holds the key can link the rows back, so the data still count as personal data
(under the GDPR, for one).
- *Re-identification:* quasi-identifiers such as postcode, birth date and sex are each shared by many people and
  identifying together; joined with another table (a voter roll, a public profile) they can point back to one
  person.
- *k-anonymity* (every combination of quasi-identifiers shared by at least k rows) blocks that join to a single row,
  but not *attribute inference*: if all k rows share the same diagnosis or the same refusal, the attacker learns it
  anyway, and background knowledge narrows the group further (l-diversity and t-closeness patch some of this).
- *Proxies* survive anonymisation: here area income still reveals the group after the group column is deleted, and
  a model learns from it. Anonymising training data does not make decisions fair, and deleting the sensitive
  attribute makes unfairness harder to audit.
- A guarantee that does not depend on what the attacker knows needs *differential privacy* (calibrated noise, so
  that adding or removing one person barely changes the probability of any output), paid for in accuracy, often
  most for small groups.
""")
    right.markdown("""
**Transparency.** People affected by an automated decision should be able to know that a model is used, on what
grounds it decided, and how to contest it. That takes documentation (what the data are, how the model was
evaluated, including results per group like the tables above: datasheets and model cards), explanations of single
decisions, and records kept for audit. Post-hoc explanations of one decision simplify the model: SHAP values split
its score into additive shares against a chosen background, a local surrogate fits a simple model around the case.
Both depend on those choices and can hide interactions: check how faithful they are before trusting them, and
remember they explain the model, not whether its labels were fair.
""")
    right.page_link("views/beyond/interpretability.py", label="Interpretability: importance, SHAP, a local surrogate",
                    icon=":material/lightbulb:")


st.title("Fairness and ethics")
st.caption("Synthetic loan applicants with a sensitive attribute (group A or B), a proxy for it (area income) and "
           "historical bias in the recorded decisions: per-group rates, the parity criteria and why they conflict, "
           "the accuracy-fairness frontier, three mitigations (reweighing, and two from fairlearn). No real person is in the data.")
settings = shared_controls()
data_panel(settings)
unawareness_panel(settings)
threshold_panel(settings)
frontier_tables(settings)
mitigation_slot = st.container()  # drawn in reading order, computed last: the text below does not wait for it
privacy_and_transparency()
with mitigation_slot:
    mitigation_panel(settings)
common.page_footer(None, EXPLANATION)
