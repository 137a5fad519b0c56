"""Write sample_data/fertility.csv: a real table with genuine missing values, offline.

Source: the World Bank's "Fertility rate, total (births per woman)" (World Development Indicators),
as bundled with statsmodels (``statsmodels.datasets.fertility``), so nothing is downloaded. Keeps
the years 1990-2011 (2012 and 2013 are empty in the bundle) and every country or aggregate with at
least one value. The gaps are the World Bank's own.

Run: python sample_data/make_fertility.py
"""
from pathlib import Path

from statsmodels.datasets import fertility

YEARS = [str(y) for y in range(1990, 2012)]

if __name__ == "__main__":
    df = fertility.load_pandas().data
    out = df[["Country Name", "Country Code"] + YEARS].rename(columns={"Country Name": "country",
                                                                        "Country Code": "code"})
    out = out[out[YEARS].notna().any(axis=1)]
    path = Path(__file__).resolve().parent / "fertility.csv"
    out.to_csv(path, index=False, float_format="%.4g")
    print(f"wrote {path}: {out.shape[0]} rows, {int(out[YEARS].isna().sum().sum())} missing cells")
