"""Generate sample_data/sentiment.csv: short product/film/restaurant reviews labelled positive (1) or
negative (0), composed from templates written for ML Explorer (no scraped text; public domain, CC0).

Run from the project root: python sample_data/make_sentiment.py
Negations ("not good", "not bad") and a few mixed sentences ("good food but rude staff") are included
on purpose, so unigrams alone fall short and bigrams visibly help. As in real reviews, "good" and "bad"
are the most frequent adjectives of their side, so a unigram model learns "good" as positive and "bad"
as negative, and the negations are the exceptions bigrams repair (an earlier corpus opened one
sentence in seven with "Not bad:" or "Not good:", which taught the model that "good" is negative).
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20240601
N_PER_LABEL = 200

SUBJECTS = ["the film", "this movie", "the plot", "the acting", "the soundtrack", "the food", "the service",
            "our waiter", "the pasta", "the coffee", "this phone", "the battery", "the screen", "the camera",
            "the hotel", "the room", "the staff", "the book", "the ending", "the delivery", "the app",
            "the price", "the design", "this laptop", "the seats"]
POS_ADJ = ["good", "great", "excellent", "wonderful", "delightful", "superb", "fantastic", "lovely", "brilliant",
           "amazing", "charming", "reliable", "fast", "friendly", "beautiful", "perfect", "enjoyable"]
NEG_ADJ = ["bad", "terrible", "awful", "boring", "disappointing", "dreadful", "horrible", "rude", "slow",
           "broken", "bland", "noisy", "dirty", "poor", "useless", "annoying", "overpriced"]
# the plain words are the commonest: a quarter of the adjectives on each side
POS_WEIGHTED = ["good"] * 5 + POS_ADJ[1:]
NEG_WEIGHTED = ["bad"] * 5 + NEG_ADJ[1:]
INTENS = ["", "", "really ", "very ", "truly ", "absolutely ", "quite "]
POS_END = ["I would recommend it.", "I loved it.", "Worth every penny.", "We will come back.",
           "Five stars.", "I enjoyed every minute.", "Highly recommended."]
NEG_END = ["I want a refund.", "I hated it.", "A waste of money.", "Never again.", "One star.",
           "I regret buying it.", "Avoid it."]


def positive(rng: random.Random) -> str:
    s, s2 = rng.sample(SUBJECTS, 2)
    t = rng.randrange(7)
    if t == 0:
        return f"{s.capitalize()} was {rng.choice(INTENS)}{rng.choice(POS_WEIGHTED)}."
    if t == 1:
        return f"{s.capitalize()} was {rng.choice(POS_WEIGHTED)} and {s2} was {rng.choice(POS_WEIGHTED)}. {rng.choice(POS_END)}"
    if t == 2:
        return f"{s.capitalize()} was not {rng.choice(NEG_WEIGHTED)} at all. {rng.choice(POS_END)}"
    if t == 3:
        return f"Not {rng.choice(NEG_WEIGHTED)}: {s} was {rng.choice(POS_WEIGHTED)}."
    if t == 4:
        return f"{s.capitalize()} was {rng.choice(NEG_WEIGHTED)} but {s2} was {rng.choice(INTENS)}{rng.choice(POS_WEIGHTED)}. {rng.choice(POS_END)}"
    if t == 5:
        return f"What a {rng.choice(POS_WEIGHTED)} experience, {s} was {rng.choice(POS_WEIGHTED)}."
    return f"{rng.choice(POS_END)} {s.capitalize()} is {rng.choice(INTENS)}{rng.choice(POS_WEIGHTED)}."


def negative(rng: random.Random) -> str:
    s, s2 = rng.sample(SUBJECTS, 2)
    t = rng.randrange(7)
    if t == 0:
        return f"{s.capitalize()} was {rng.choice(INTENS)}{rng.choice(NEG_WEIGHTED)}."
    if t == 1:
        return f"{s.capitalize()} was {rng.choice(NEG_WEIGHTED)} and {s2} was {rng.choice(NEG_WEIGHTED)}. {rng.choice(NEG_END)}"
    if t == 2:
        return f"{s.capitalize()} was not {rng.choice(POS_WEIGHTED)} at all. {rng.choice(NEG_END)}"
    if t == 3:
        return f"Not {rng.choice(POS_WEIGHTED)}: {s} was {rng.choice(NEG_WEIGHTED)}."
    if t == 4:
        return f"{s.capitalize()} was {rng.choice(POS_WEIGHTED)} but {s2} was {rng.choice(INTENS)}{rng.choice(NEG_WEIGHTED)}. {rng.choice(NEG_END)}"
    if t == 5:
        return f"What a {rng.choice(NEG_WEIGHTED)} experience, {s} was {rng.choice(NEG_WEIGHTED)}."
    return f"{rng.choice(NEG_END)} {s.capitalize()} is {rng.choice(INTENS)}{rng.choice(NEG_WEIGHTED)}."


def main(path: Path = Path(__file__).resolve().parent / "sentiment.csv") -> None:
    rng = random.Random(SEED)
    rows, seen = [], set()
    for label, make in ((1, positive), (0, negative)):
        count = 0
        while count < N_PER_LABEL:
            text = make(rng)
            if text not in seen:
                seen.add(text)
                rows.append((text, label))
                count += 1
    rng.shuffle(rows)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
