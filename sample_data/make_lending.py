"""Generate sample_data/lending.csv: synthetic loan applicants for the Fairness and ethics lab
(run: python sample_data/make_lending.py). Fixed seed: the file is reproducible byte for byte.

Every row is an invented applicant; no real person, lender or place is behind any value.

- ``group`` (A or B) is the sensitive attribute, standing for a protected characteristic. About 40 % of the
  applicants belong to group B.
- ``income``, ``debt_ratio``, ``years_employed`` and ``missed_payments`` are the applicant's own
  financial record. Group B's incomes are lower on average (mean 33 against 43 thousand a year): a
  stand-in for past disadvantage, which makes the groups' base rates differ even without any bias
  in the labels.
- ``area_income`` (median income of the applicant's postcode area) is the proxy: it follows the
  group closely (as postcodes follow ethnicity in segregated cities) and adds nothing about
  repayment once the applicant's own columns are known.
- ``creditworthy`` (0/1) is the truth a real lender never sees: whether the applicant would repay.
  It is drawn from a known logistic function of the four financial columns only, never of the
  group or the area.

The historical bias is not in the file: the lab applies it at the strength the learner chooses.
The recorded decision ("approved") equals ``creditworthy``, except that each creditworthy applicant
of group B was refused with probability equal to the bias strength (one uniform draw per row from
the page's seed, so a stronger bias refuses a superset of the applicants a weaker one refused).
"""
from pathlib import Path

import numpy as np
import pandas as pd


def make(n: int = 3000, seed: int = 2024) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    in_b = rng.random(n) < 0.4
    income = np.round(np.clip(rng.normal(np.where(in_b, 33.0, 43.0), 12.0), 8.0, 150.0), 1)
    debt_ratio = np.round(np.clip(rng.normal(0.35, 0.12, n), 0.0, 0.95), 3)
    years_employed = np.clip(np.round(rng.gamma(2.0, 3.5, n)), 0, 40).astype(int)
    missed_payments = rng.poisson(0.8, n)
    # the proxy: the group's typical area, a little of the applicant's own income, and noise
    area_income = np.round(np.where(in_b, 29.0, 40.0) + 0.15 * (income - 39.0) + rng.normal(0.0, 4.0, n), 1)
    logit = (-0.1 + 0.075 * (income - 39.0) - 5.0 * (debt_ratio - 0.35) + 0.08 * (years_employed - 7.0)
             - 0.8 * (missed_payments - 0.8))
    creditworthy = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"group": np.where(in_b, "B", "A"), "area_income": area_income, "income": income,
                         "debt_ratio": debt_ratio, "years_employed": years_employed,
                         "missed_payments": missed_payments, "creditworthy": creditworthy})


if __name__ == "__main__":
    make().to_csv(Path(__file__).with_name("lending.csv"), index=False)
