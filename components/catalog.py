"""The catalogue of pages: one entry per page script, grouped by navigation section.

app.py builds the navigation from it, the Home page links from it, and the tests discover every
page from it. A page appears only once its entry is here (no "coming soon" placeholders).
Page scripts live in ``views/`` rather than ``pages/``: see the README ("Why views/").
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    section: str
    title: str
    path: str  # relative to the project root
    url_path: str
    icon: str
    summary: str


SECTIONS = ("Data", "Models", "Evaluation", "Pitfalls", "Beyond", "Interview")

PAGES: tuple[PageSpec, ...] = (
    PageSpec("Evaluation", "Evaluation cockpit", "views/evaluation/cockpit.py", "cockpit", ":material/speed:",
             "One threshold slider re-counts the confusion matrix and moves the ROC and PR operating "
             "points; train/test split and k-fold cross-validation drawn."),
)


def by_section() -> dict[str, list[PageSpec]]:
    out: dict[str, list[PageSpec]] = {}
    for section in SECTIONS:
        pages = [p for p in PAGES if p.section == section]
        if pages:
            out[section] = pages
    return out


def find(url_path: str) -> PageSpec:
    return next(p for p in PAGES if p.url_path == url_path)
