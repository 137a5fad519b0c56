"""Lesson paths: guided sequences of deep-linked views a teacher walks a class through.

Kept as data (sample_data/lessons.yaml, described in sample_data/README.md). Each step is a page and
the URL state that shows its point, two or three talking points and a question to ask the room.
A step is opened by a link that carries its state plus ``lesson`` and ``step``; the lesson bar
(components/ui/lesson_bar.py) then shows the step's notes with Previous and Next.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from components import catalog

FILE = catalog.ROOT / "sample_data" / "lessons.yaml"
LESSON_PARAM, STEP_PARAM = "lesson", "step"


@dataclass(frozen=True)
class Step:
    title: str
    page: str  # url_path of a page in the catalogue
    state: tuple[tuple[str, str], ...]  # URL query values, as the URL carries them
    points: tuple[str, ...]
    ask: str

    def query(self, lesson_id: str, number: int) -> dict[str, str]:
        """The step's URL query: its state plus which lesson and step (1-based) it is."""
        return {**dict(self.state), LESSON_PARAM: lesson_id, STEP_PARAM: str(number)}


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]


class LessonError(ValueError):
    pass


def _step(raw: dict, where: str) -> Step:
    for field in ("title", "page", "points", "ask"):
        if field not in raw:
            raise LessonError(f"{where}: no {field}")
    if raw["page"] not in {p.url_path for p in catalog.PAGES}:
        raise LessonError(f"{where}: no page {raw['page']!r} in the catalogue")
    points = tuple(str(p) for p in raw["points"])
    if not 2 <= len(points) <= 3:
        raise LessonError(f"{where}: {len(points)} talking points (2 or 3)")
    state = tuple((str(k), str(v).lower() if isinstance(v, bool) else str(v))
                  for k, v in (raw.get("state") or {}).items())
    return Step(str(raw["title"]), raw["page"], state, points, str(raw["ask"]))


def parse(data: list) -> tuple[Lesson, ...]:
    lessons, seen = [], set()
    for i, raw in enumerate(data):
        lid = raw.get("id", "")
        if not lid or lid in seen:
            raise LessonError(f"lesson {i}: missing or repeated id {lid!r}")
        seen.add(lid)
        steps = tuple(_step(s, f"{lid} step {j + 1}") for j, s in enumerate(raw.get("steps", [])))
        if len(steps) < 2:
            raise LessonError(f"{lid}: a lesson needs at least two steps")
        lessons.append(Lesson(lid, str(raw["title"]), str(raw.get("summary", "")), steps))
    return tuple(lessons)


def load(path: Path = FILE) -> tuple[Lesson, ...]:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def find(lessons: tuple[Lesson, ...], lesson_id: str, step: str) -> tuple[Lesson, int] | None:
    """The lesson and the 0-based step a link names, or None when the link names none that exists."""
    lesson = next((les for les in lessons if les.id == lesson_id), None)
    if lesson is None or not step.isdigit() or not 1 <= int(step) <= len(lesson.steps):
        return None
    return lesson, int(step) - 1
