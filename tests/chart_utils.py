"""Comparing Vega-Lite specs in tests: decode their Arrow datasets, line up dataset names."""
from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa


def _frame(raw) -> pd.DataFrame:
    """A dataset as a frame; categorical columns as their values (what Vega-Lite sees either way)."""
    frame = pa.ipc.open_stream(raw).read_pandas() if isinstance(raw, bytes) else pd.DataFrame(raw)
    return frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def canonical(spec: dict) -> tuple[str, list[pd.DataFrame]]:
    """The spec without datasets, each dataset renamed by where the spec first uses it, and the used
    datasets decoded, in that order: two conversions of one chart give equal results."""
    spec = dict(spec)
    datasets = spec.pop("datasets", {})
    text = json.dumps(spec, sort_keys=True)
    used = sorted((n for n in datasets if json.dumps(n) in text), key=lambda n: text.index(json.dumps(n)))
    frames = []
    for i, name in enumerate(used):
        text = text.replace(json.dumps(name), json.dumps(f"dataset{i}"))
        frames.append(_frame(datasets[name]).reset_index(drop=True))
    return text, frames


def layer_frames(spec: dict) -> tuple[list[pd.DataFrame], str]:
    """Each part's data (the chart, then its layers, nested ones too) and the spec without data names
    or datasets: for comparing a spec whose data was swapped with a rebuilt one, part by part."""
    frames = []

    def walk(part):
        data = part.get("data")
        if isinstance(data, dict) and "name" in data:
            frames.append(_frame(spec["datasets"][data["name"]]))
        return {k: ([walk(x) for x in v] if k == "layer" else v) for k, v in part.items()
                if k not in ("data", "datasets")}

    return frames, json.dumps(walk(spec), sort_keys=True)


def assert_converts_like_streamlit(chart, min_datasets: int = 1) -> None:
    """charts.to_spec(chart) sends what st.altair_chart would send (Streamlit's own conversion is the
    independent reference): the same spec once dataset names are aligned, exactly the same rows."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    from components import charts

    ours_text, ours = canonical(charts.to_spec(chart))
    theirs_text, theirs = canonical(_convert_altair_to_vega_lite_spec(chart))
    assert ours_text == theirs_text
    assert len(ours) == len(theirs) >= min_datasets
    for a, b in zip(ours, theirs):
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=True)
    assert any(len(f) for f in ours)
