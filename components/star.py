"""Behavioural answers in STAR form: the checks a draft gets, worked examples and the preparation checklist.

The checks are rules of thumb a candidate can act on, written by hand because no library grades
interview stories; each returns a message that says what to change:

- every part is present (at least :data:`MIN_PART_WORDS` words);
- the Action is in the first person: it says "I" (I, I'm, I've, I'd, me, my, myself) at least once
  and at least as often as "we" (we, we're, we've, us, our, ours, ourselves);
- the Result is measured: it contains a number, in digits or words (two … twelve, twenty … ninety,
  hundred, thousand, million, billion, half, twice, double, triple, percent); "one" is left out
  because "no one" and "one of" measure nothing;
- the length fits about two minutes of speech: :data:`WORDS_PER_MINUTE` words a minute, between
  :data:`MIN_SECONDS` and :data:`MAX_SECONDS` seconds in all;
- the Action carries the story: it is the longest of the four parts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from components import charts, memo

PARTS = ("situation", "task", "action", "result")
PART_TITLES = {"situation": "Situation", "task": "Task", "action": "Action", "result": "Result"}
PART_HELP = {
    "situation": "The context in one or two sentences: where, when, what was at stake.",
    "task": "What you were responsible for, and the constraint (a deadline, a budget, a metric).",
    "action": "What you did, step by step, in the first person: the decisions, the trade-offs, why.",
    "result": "The outcome in numbers (a metric, money, time, people) and what you learned.",
}
MIN_PART_WORDS = 5
WORDS_PER_MINUTE = 140  # a calm interview pace; most people speak 120-160 words a minute
MIN_SECONDS, MAX_SECONDS, TARGET_SECONDS = 60, 150, 120

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’%.,-]*")
_I_FORMS = re.compile(r"\b(I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll|me|my|mine|myself)\b")
_WE_FORMS = re.compile(r"\b(we|we're|we’re|we've|we’ve|we'd|we’d|we'll|we’ll|us|our|ours|ourselves)\b", re.I)
_NUMBER = re.compile(r"\d|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                     r"sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|half|halved|twice|"
                     r"double[sd]?|triple[sd]?|percent)\b", re.I)


def words(text: str) -> int:
    return len(_WORD.findall(text or ""))


def seconds(parts: dict[str, str]) -> float:
    """Estimated speaking time of the whole story at :data:`WORDS_PER_MINUTE`."""
    return 60 * sum(words(parts.get(p, "")) for p in PARTS) / WORDS_PER_MINUTE


def clock(secs: float) -> str:
    secs = int(round(secs))
    return f"{secs // 60}:{secs % 60:02d}"


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str


def check_present(parts: dict[str, str]) -> CheckResult:
    short = [PART_TITLES[p] for p in PARTS if words(parts.get(p, "")) < MIN_PART_WORDS]
    if not short:
        return CheckResult("Every part is there", True, "Situation, Task, Action and Result are all written.")
    return CheckResult("Every part is there", False,
                       f"Write the {', '.join(short)} (at least {MIN_PART_WORDS} words each).")


def check_first_person(parts: dict[str, str]) -> CheckResult:
    action = parts.get("action", "")
    mine, ours = len(_I_FORMS.findall(action)), len(_WE_FORMS.findall(action))
    name = "The Action says what you did"
    if mine == 0:
        return CheckResult(name, False, "The Action never says \"I\": the interviewer must hear what you did yourself.")
    if ours > mine:
        return CheckResult(name, False, f"The Action says \"we\" {ours} times and \"I\" {mine}: say which steps were "
                                        "yours.")
    return CheckResult(name, True, f"First person: \"I\" {mine} time(s), \"we\" {ours}.")


def check_measured(parts: dict[str, str]) -> CheckResult:
    name = "The Result is measured"
    if _NUMBER.search(parts.get("result", "")):
        return CheckResult(name, True, "The Result gives a number.")
    return CheckResult(name, False, "Add a number to the Result: how much, how many, how fast (\"recall rose from "
                                    "0.55 to 0.80\", \"two weeks earlier\").")


def check_length(parts: dict[str, str]) -> CheckResult:
    secs, n = seconds(parts), sum(words(parts.get(p, "")) for p in PARTS)
    name = "It fits two minutes"
    said = f"About {clock(secs)} of speech ({n} words at {WORDS_PER_MINUTE} a minute)"
    if secs < MIN_SECONDS:
        return CheckResult(name, False, f"{said}: too short to show your judgement; add the decisions in the Action.")
    if secs > MAX_SECONDS:
        return CheckResult(name, False, f"{said}: the listener will drift; cut the Situation and Task first.")
    return CheckResult(name, True, f"{said}.")


def check_action_leads(parts: dict[str, str]) -> CheckResult:
    counts = {p: words(parts.get(p, "")) for p in PARTS}
    name = "The Action carries the story"
    longest = max(counts, key=counts.get)
    if counts["action"] > 0 and counts["action"] >= max(counts.values()):
        return CheckResult(name, True, f"The Action is the longest part ({counts['action']} of {sum(counts.values())} "
                                       "words).")
    return CheckResult(name, False, f"The {PART_TITLES[longest]} is longer than the Action: give the Action about "
                                    "half of the time.")


CHECKS = (check_present, check_first_person, check_measured, check_length, check_action_leads)


def check(parts: dict[str, str]) -> list[CheckResult]:
    return [rule(parts) for rule in CHECKS]


def time_frame(parts: dict[str, str]) -> pd.DataFrame:
    """Estimated speaking seconds per part, for the chart and its table."""
    return pd.DataFrame({"part": [PART_TITLES[p] for p in PARTS],
                         "seconds": [round(60 * words(parts.get(p, "")) / WORDS_PER_MINUTE, 1) for p in PARTS],
                         "words": [words(parts.get(p, "")) for p in PARTS]})


@memo.cached(max_entries=32)
def time_spec(rows: tuple[tuple[str, float, int], ...]) -> dict:
    """Speaking time per part, stacked in one bar, against the two-minute mark."""
    import altair as alt

    df = pd.DataFrame(rows, columns=["part", "seconds", "words"])
    df["story"] = "your draft"
    order = [PART_TITLES[p] for p in PARTS]
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("seconds:Q", title="estimated speaking time (s)", stack="zero",
                scale=alt.Scale(domain=[0, max(MAX_SECONDS + 30, float(df["seconds"].sum()) + 10)])),
        y=alt.Y("story:N", title=None),
        color=alt.Color("part:N", sort=order, scale=alt.Scale(domain=order, range=charts.OKABE_ITO[:4]), title="part"),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("part:N"), alt.Tooltip("seconds:Q"), alt.Tooltip("words:Q")],
    ).transform_calculate(order=f"indexof({order!r}, datum.part)")
    marks = pd.DataFrame({"seconds": [MIN_SECONDS, TARGET_SECONDS, MAX_SECONDS],
                          "mark": ["1:00 (shortest)", "2:00 (aim)", "2:30 (longest)"]})
    rules = alt.Chart(marks).mark_rule(color=charts.BLACK, strokeDash=[4, 3]).encode(
        x=alt.X("seconds:Q"), tooltip=[alt.Tooltip("mark:N"), alt.Tooltip("seconds:Q")])
    # a layered chart with a fixed height is squeezed by Streamlit's frontend: the height is set per band
    return charts.to_spec((bars + rules).properties(height=alt.Step(44), width="container",
                                                   title="Your draft against the two-minute mark"))


# ------------------------------------------------------------------------------------------------ stories

@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    guidance: str
    example: dict[str, str] | None = None  # a worked example in STAR parts


THEMES = (
    Theme("imbalanced-model", "A model on imbalanced data, under pressure",
          "Show that you saw through a flattering accuracy, chose a metric tied to what the business could act on, "
          "and kept the evaluation honest while the clock ran. Name the class balance, the metric you switched to "
          "and why, the technique (class weights, a moved threshold, resampling inside the pipeline) and the result "
          "in the business's terms.",
          {"situation": "At a telecom company about 4% of customers cancelled each month. The retention team planned "
                        "a call campaign starting in three weeks, and an existing churn model reported 96% accuracy, so "
                        "leadership expected a quick hand-over.",
           "task": "I was asked to get the model ready for the campaign: find the customers most likely to leave, "
                   "within a budget of 2,000 calls a month.",
           "action": "I first checked the baseline and found that predicting that every customer stays also scored "
                     "96%: the old model caught only 12% of the churners. I explained to my manager that accuracy "
                     "was the wrong target and proposed judging models by the share of the month's churners that "
                     "fell among the 2,000 customers we could call, and by average precision. I rebuilt the evaluation on a time-ordered "
                     "split, training on earlier months and testing on the latest one, with all preprocessing inside "
                     "one pipeline fitted on the training months only. I compared logistic regression with class "
                     "weights against gradient boosting, then set the decision threshold so that about 2,000 "
                     "customers a month were flagged. When a director asked for SMOTE, I ran it inside the same "
                     "pipeline; it did not beat the class weights, so I showed him the two precision-recall curves "
                     "side by side and I kept the simpler model.",
           "result": "The campaign started on time. In its first month the 2,000 flagged customers included 41% of "
                     "that month's churners, against 12% with the old model, and flagged customers who were called "
                     "churned 25% less than a small flagged group we deliberately did not call. I learned to ask for "
                     "the business constraint, here the call budget, before choosing a metric."}),
    Theme("non-technical", "Explaining a model to a non-technical audience",
          "Start from the decision your audience had to make. Show how you translated the model into their terms "
          "(customers, money, hours), one or two concrete cases, what the model cannot do, and what they decided. "
          "Interviewers listen for empathy and for honesty about limits.",
          {"situation": "Our credit team used a gradient-boosted model to send loan applications to manual review. "
                        "The head of operations, who had no statistics background, wanted to drop it because reviewers "
                        "kept finding obviously fine applications in their queue.",
           "task": "I had 30 minutes with her to explain what the model did and why it flagged such cases, and to help "
                   "her decide whether to keep it.",
           "action": "I left out AUC and feature names and started from her own question: of 100 flagged "
                     "applications, how many turned out to be real problems? I showed that the answer was 22, against "
                     "3 in 100 unflagged ones, and that the review capacity, not the model, set how many were flagged. "
                     "I drew the trade-off as a small table: flag fewer and reviewers see fewer false alarms but more "
                     "bad loans slip through, with the cost of each in euros from last year's losses. I picked two real "
                     "flagged applications and explained in plain sentences, from their SHAP values, which facts had "
                     "pushed each one up. I was also clear about what the model could not do: it had never seen "
                     "applicants for a new product line, so those still needed a person. I ended by asking her which "
                     "balance of missed losses against review hours she preferred.",
           "result": "She kept the model and chose to flag 15% fewer applications, which cut the review queue by about "
                     "200 cases a month while the estimated missed losses rose by 4%. She asked me to give the same "
                     "briefing to the reviewers, and the complaints about the queue stopped."}),
    Theme("tight-deadline", "A tight deadline",
          "Show scoping, not heroics: what you agreed to deliver, what you left out and told people about, how you "
          "kept the evaluation honest, and how you paid back the shortcuts afterwards.",
          {"situation": "Two weeks before a quarterly planning meeting, our product lead asked for a demand forecast "
                        "for 300 stores to plan staffing. The existing spreadsheet method gave no error estimate, and "
                        "the pipeline for store-level features was half built.",
           "task": "I owned the forecast and had ten working days to deliver something the planners could trust.",
           "action": "On the first day I agreed with the product lead what done meant: weekly forecasts for the next "
                     "13 weeks with an error range, for every store, and no new data sources. I wrote down what I "
                     "would not do, such as promotions data and a dashboard, and shared that list so nobody was "
                     "surprised. I built a seasonal naive baseline first, so that there was always something to "
                     "deliver, then a gradient-boosted model on lagged sales and calendar features. I evaluated both "
                     "on rolling time-ordered splits over the last year instead of a random split, which would have "
                     "let the model see the future. Halfway through I saw that the model barely beat the baseline for "
                     "small stores, so I used it for the 180 large stores only and kept the baseline for the rest. I "
                     "showed the planners interim numbers on day four and day eight.",
           "result": "I delivered on day nine. On the last 13 weeks, held out, the forecast's mean absolute error was "
                     "11% lower than the spreadsheet method's, and the planners used it to staff the quarter. I logged "
                     "the skipped work as tickets, and the promotions feature I added the next month cut the error by "
                     "another 6%."}),
    Theme("ethical-concern", "An ethical concern",
          "Describe a concrete risk (bias against a group, a privacy problem, a proxy for a protected attribute), how "
          "you measured it, whom you raised it with and how, and what changed. Interviewers listen for judgement and "
          "for acting through the people who own the decision, not alone and not silently.",
          {"situation": "I was building a model to rank job applicants for a recruiting team, trained on five years "
                        "of past hiring decisions, and the team wanted it live for the graduate intake.",
           "task": "I was responsible for validating the model before release, and I was uneasy that it learned from "
                   "decisions people had made, with their biases.",
           "action": "I compared the model's selection rates across gender and age groups on held-out data, even "
                     "though neither attribute was a feature. Women were selected at 0.68 times the rate of men, below "
                     "the four-fifths rule of thumb many HR teams use. I traced most of the gap to two proxies: a "
                     "career-gap feature and the names of certain clubs in the CV text. I wrote a short memo with the "
                     "numbers and took it to my manager and to our legal and HR partners instead of quietly patching "
                     "the model. I proposed removing the proxies, checking that qualified candidates of every group "
                     "were selected at similar rates, and keeping a recruiter's review of every rejection the model "
                     "suggested. I also said plainly that dropping features does not guarantee fairness, so the rates "
                     "had to be monitored after launch.",
           "result": "The release moved by three weeks. After the changes the selection-rate ratio rose to 0.93 while "
                     "AUC fell from 0.81 to 0.79, and the company added a fairness check to its model-review template. "
                     "I learned to raise such concerns early, with numbers, and with the people who own the decision."}),
    Theme("failure", "A failure or a mistake",
          "Pick a real mistake that mattered, own your part without blaming others, show how you found the cause and "
          "what you changed so that it does not happen again. The lesson and the change are the result; still give "
          "a number (the cost, the time to fix, the metric after the fix)."),
    Theme("disagreement", "A disagreement with a colleague",
          "Show that you understood the other view first, proposed a way to decide with evidence (an offline "
          "comparison on an agreed metric, a small experiment), and kept the working relationship. It is fine if "
          "you turned out to be wrong: say what you learned."),
    Theme("own", "Another story of your own",
          "Any story an interviewer might ask for: a project you are proud of, learning something fast, messy data, "
          "influencing a decision. The same checks apply."),
)
THEME_IDS = tuple(t.id for t in THEMES)
THEMES_BY_ID = {t.id: t for t in THEMES}


def story_markdown(title: str, parts: dict[str, str], with_checks: bool = True) -> str:
    """One story as Markdown: the four parts and, optionally, what the checks say."""
    lines = [f"## {title}", ""]
    for p in PARTS:
        lines += [f"**{PART_TITLES[p]}.** {' '.join((parts.get(p) or '(not written yet)').split())}", ""]
    if with_checks:
        lines += ["Checks:", ""] + [f"- {'✓' if r.passed else '✗'} {r.name}: {r.message}" for r in check(parts)] + [""]
    return "\n".join(lines)


def stories_markdown(drafts: dict[str, dict[str, str]], title: str = "My STAR stories") -> str:
    """The learner's drafts (theme id -> parts), in the themes' order, as one Markdown file."""
    written = [t for t in THEMES if any((drafts.get(t.id) or {}).get(p, "").strip() for p in PARTS)]
    lines = [f"# {title}", "", f"{len(written)} stor{'y' if len(written) == 1 else 'ies'}, drafted with ML "
             f"Explorer's STAR builder. Aim for about two minutes each ({WORDS_PER_MINUTE} words a minute).", ""]
    return "\n".join(lines) + "\n".join(story_markdown(t.title, drafts[t.id]) for t in written)


def examples_markdown() -> str:
    worked = [t for t in THEMES if t.example]
    return "# Worked STAR examples (ML Explorer)\n\n" + "\n".join(story_markdown(t.title, t.example) for t in worked)


# ------------------------------------------------------------------------------------------------ checklist

@dataclass(frozen=True)
class ChecklistItem:
    id: str
    group: str
    text: str


CHECKLIST = (
    ChecklistItem("company-product", "Research the company",
                  "Know the product and where machine learning sits in it, or could."),
    ChecklistItem("company-team", "Research the company",
                  "Read what the team has published: blog posts, papers, talks, open-source code."),
    ChecklistItem("company-role", "Research the company",
                  "Match the job description's skills to your projects and stories; know your gaps."),
    ChecklistItem("company-questions", "Research the company",
                  "Prepare three questions for them: their data, how models reach production, how success is measured."),
    ChecklistItem("portfolio-projects", "Your portfolio",
                  "Two or three projects you can explain end to end: problem, data, baseline, metric, result."),
    ChecklistItem("portfolio-repo", "Your portfolio",
                  "A clean repository for each: a README, reproducible results, an honest test set."),
    ChecklistItem("portfolio-pitch", "Your portfolio", "A one-minute summary of each project, practised out loud."),
    ChecklistItem("uptodate-sources", "Stay up to date",
                  "A few sources you actually follow: papers, a newsletter, the release notes of your main libraries."),
    ChecklistItem("uptodate-recent", "Stay up to date",
                  "One recent development you can discuss with its limits, not only its headline."),
    ChecklistItem("uptodate-tools", "Stay up to date", "What changed recently in the tools listed on your CV."),
    ChecklistItem("practice-mock", "Practise", "At least one timed mock interview, answered out loud."),
    ChecklistItem("practice-bank", "Practise",
                  "Every topic of the question bank at least once, and the weak ones again until you know them."),
    ChecklistItem("practice-stories", "Practise", "Six STAR stories, each timed at about two minutes."),
)
CHECKLIST_IDS = tuple(c.id for c in CHECKLIST)
