"""Generate sample_data/churn.csv: synthetic telecom customers (run: python sample_data/make_churn.py).

The churn probability is a known logistic function of the columns, so pages can say what the
"right" model would find. Fixed seed: the file is reproducible byte for byte.
"""
from pathlib import Path

import numpy as np
import pandas as pd


def make(n: int = 2000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 73, n)
    contract = rng.choice(["month-to-month", "one-year", "two-year"], n, p=[0.55, 0.25, 0.20])
    monthly = np.round(rng.normal(65, 20, n).clip(18, 120), 2)
    support_calls = rng.poisson(1.5, n)
    logit = (0.8 - 0.045 * tenure + 0.02 * (monthly - 65) + 0.45 * support_calls
             - 1.2 * (contract == "one-year") - 2.2 * (contract == "two-year"))
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"tenure_months": tenure, "contract": contract, "monthly_charges": monthly,
                         "support_calls": support_calls, "churned": churned})


if __name__ == "__main__":
    make().to_csv(Path(__file__).with_name("churn.csv"), index=False)
