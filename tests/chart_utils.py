"""Comparing Vega-Lite specs in tests: decode their Arrow datasets, line up dataset names."""
from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow as pa


def _frame(raw) -> pd.DataFrame:
    """A dataset as a frame; categorical columns as their values (what Vega-Lite sees either way)."""
    frame = pa.ipc.open_stream(raw).read_pandas() if isinstance(raw, bytes) else pd.DataFrame(raw)
    return frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def without_scrub_starts(spec: str | dict) -> dict:
    """A sent spec (JSON text or dict) without its parameters' starting values: what a scrubbing move
    may change in a full AppTest run (charts.scrubbable; in the browser the fragment rerun keeps even
    those, components/ui/scrub.py)."""
    parsed = json.loads(spec) if isinstance(spec, str) else spec
    return {**parsed, "params": [{k: v for k, v in p.items() if k != "value"} for p in parsed.get("params", [])]}


def scrub_start(spec: str | dict, key: str):
    """Where a sent chart's parameter that follows the control ``key`` starts (None: it has none)."""
    from components import charts

    parsed = json.loads(spec) if isinstance(spec, str) else spec
    values = [p["value"] for p in parsed.get("params", []) if p["name"] == charts.scrub_param(key)]
    return values[0] if values else None


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


class _Position(int):
    """A slider's value in a Vega expression read as Python: 'text' + position is 'text5', as in Vega."""

    def __radd__(self, other):
        return other + str(int(self)) if isinstance(other, str) else int(self) + other


def _invalid(column):
    return column.isna()


def _python(test: str) -> str:
    """charts.scrubbable's filter ("!isValid(x) || rest") as a Python expression over columns."""
    match = re.fullmatch(r"!isValid\((.+?)\) \|\| (.+)", test)
    return f"(_invalid({match[1]})) | ({match[2]})" if match else test


def shown_at(spec: dict, values: dict[str, int] | None = None) -> dict:
    """What Vega-Lite draws of a chart that follows sliders (charts.scrubbable) with them at ``values``
    (widget key -> value; default: the parameters' starting values in the spec), as a spec without them:
    each view's transforms applied to its rows here (their Vega expressions -- abs, min, datum['column'],
    comparisons, 'text' + number -- read as Python), then the position column and the columns a
    calculate picks from by position (datum['prefix' + ...]) dropped. It compares with a chart built on
    that position's own rows (layer_frames). Integer positions only."""
    from components import charts

    params = {p["name"]: p["value"] for p in spec.get("params", []) if p["name"].startswith("scrub__")}
    if values is not None:
        params |= {charts.scrub_param(k): v for k, v in values.items()}
    env = {"abs": abs, "min": lambda *a: _Position(min(a)), **{k: _Position(v) for k, v in params.items()}}
    datasets = dict(spec["datasets"])

    def walk(part):
        part = {k: ([walk(x) for x in v] if k == "layer" else v) for k, v in part.items()}
        data = part.get("data")
        if isinstance(data, dict) and "name" in data and "transform" in part:
            frame = _frame(datasets[data["name"]]).copy()  # one block: calculates add columns
            picked = []
            for step in part.pop("transform"):
                if "filter" in step:
                    frame = frame[eval(_python(step["filter"]), env | {"datum": frame, "_invalid": _invalid})]
                else:
                    frame = frame.assign(**{step["as"]: eval(step["calculate"], env | {"datum": frame})})
                    picked += re.findall(r"datum\['([^']*)' \+", step["calculate"])
            frame = frame.drop(columns=[c for c in frame if c == charts.SCRUB_COLUMN
                                        or any(c.startswith(p) and c != p for p in picked)])
            name = f"{data['name']} at {len(datasets)}"
            datasets[name] = charts._arrow_bytes(frame.reset_index(drop=True))
            part["data"] = {"name": name}
        return part

    out = walk({k: v for k, v in spec.items() if k != "datasets"})
    out["params"] = [p for p in spec.get("params", []) if p["name"] not in params]
    if not out["params"]:
        del out["params"]
    return out | {"datasets": datasets}
