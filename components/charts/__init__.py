"""Altair chart builders shared by every page. Each takes DataFrames and returns an ``alt.Chart``.

Colours come from the Okabe–Ito palette, which stays distinguishable for colour-blind viewers.

Every encoding is a channel object (``alt.X("a:Q")``, ``alt.Tooltip(c)``, ``alt.ColorValue(**alt.condition(...))``),
never a bare shorthand string or condition dict: Altair turns those into channels with ``from_dict``, which
hashes every class of the Vega-Lite schema on each call (2-5 ms per channel, measured with Altair 6.3;
a channel object costs 0.01 ms). A chart with six string channels cost 14 ms to build. The spec is the
same either way; tests/test_charts.py keeps these files to channel objects.

The package is split by family; every builder is re-exported here, so pages and tests write
``charts.<name>``."""
from components.charts.basic import (  # noqa: F401
    bar_chart,
    histogram,
    line_chart,
    loglog_chart,
    path_chart,
    scatter_chart,
    score_dot_chart,
    strip_chart,
    tile_chart,
    time_series_chart,
)
from components.charts.boundary import (  # noqa: F401
    _background_cells,
    boundary_chart,
    class_borders,
    class_regions_chart,
    grid_image,
    image_boundary_chart,
    image_extent,
    image_layer,
    marked_points_layer,
    member_boundary_chart,
    on_boundary,
    outline_layer,
    pixel_images_chart,
    points_lines_chart,
    probability_gap_chart,
    probability_image,
    reference_boundary_layer,
    swap_grid,
    tree_chart,
)
from components.charts.core import (  # noqa: F401
    _DEFAULT_THEME_VIEW,
    _SUBCHARTS,
    BLACK,
    BLUE,
    GREEN,
    HEIGHT,
    OKABE_ITO,
    ORANGE,
    PRESENTER_CONFIG,
    PURPLE,
    SCRUB_COLUMN,
    SKY,
    VERMILION,
    YELLOW,
    _arrow_bytes,
    _arrow_of,
    _dataset_name,
    _drop_default_theme,
    _log_x,
    _one_row_frames,
    _records,
    _tooltips,
    as_chart,
    for_presenter,
    named_datasets,
    scrub_param,
    scrubbable,
    set_param,
    slices,
    stable_names,
    swap_layer_data,
    swap_top_data,
    to_spec,
    with_datasets,
)
from components.charts.explanation import (  # noqa: F401
    beeswarm_chart,
    ice_chart,
    waterfall_chart,
)
from components.charts.tuning import (  # noqa: F401
    best_so_far_chart,
    best_so_far_spec,
    surface_chart,
    surface_spec,
)

# The evaluation family is imported on first use: it needs components.evaluation, hence scikit-learn
# (about 0.8 s), which Home never uses: a cold server draws its first page without it.
_EVALUATION = (
    "_LAYOUTS",
    "THRESHOLD_DATASETS",
    "_confusion_layout",
    "_folds_layout",
    "_layout",
    "_operating_point",
    "_pr_layout",
    "_roc_layout",
    "_spec",
    "_sweep_layout",
    "confusion_matrix_chart",
    "confusion_matrix_spec",
    "folds_chart",
    "folds_spec",
    "pr_chart",
    "pr_spec",
    "roc_chart",
    "roc_spec",
    "threshold_metrics_chart",
    "threshold_metrics_spec",
    "threshold_specs",
)


def __getattr__(name: str):
    if name in _EVALUATION:
        from components.charts import evaluation

        return getattr(evaluation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
