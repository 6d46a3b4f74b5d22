"""How a "spot the tell" answer is scored against the tells a curator marked.

A learner points at the frame (a click with JavaScript, one of nine regions without) and/or
names a moment. Where: the learner's region is a box (a click becomes a small box around the
point; a region is a third of the frame each way) and it hits a tell when they overlap by at
least a quarter of the smaller of the two boxes, so a click anywhere on a small tell counts and a
coarse region counts when the tell lies mostly inside it. When: the moment must fall within the
tell's time range, give or take a second of reaction time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Half the side of the box around a clicked point, as a share of the frame.
CLICK_RADIUS = 0.06
MIN_OVERLAP = 0.25
TIME_TOLERANCE_SECONDS = 1.0
GRID = 3


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def area(self) -> float:
        return self.w * self.h

    def overlap(self, other: Box) -> float:
        """Intersection area as a share of the smaller box (0..1)."""
        width = min(self.x + self.w, other.x + other.w) - max(self.x, other.x)
        height = min(self.y + self.h, other.y + other.h) - max(self.y, other.y)
        if width <= 0 or height <= 0:
            return 0.0
        return (width * height) / min(self.area, other.area)

    @classmethod
    def around_point(cls, x: float, y: float) -> Box:
        left = min(max(x - CLICK_RADIUS, 0.0), 1.0 - 2 * CLICK_RADIUS)
        top = min(max(y - CLICK_RADIUS, 0.0), 1.0 - 2 * CLICK_RADIUS)
        return cls(left, top, 2 * CLICK_RADIUS, 2 * CLICK_RADIUS)

    @classmethod
    def grid_cell(cls, cell: int) -> Box:
        """Cell 0..8, row by row from the top left."""
        row, column = divmod(cell, GRID)
        return cls(column / GRID, row / GRID, 1 / GRID, 1 / GRID)


@dataclass(frozen=True)
class MarkedTell:
    box: Box | None
    start: float
    end: float

    def hit_by_region(self, region: Box) -> bool:
        return self.box is not None and region.overlap(self.box) >= MIN_OVERLAP

    def hit_by_time(self, seconds: float) -> bool:
        return self.start - TIME_TOLERANCE_SECONDS <= seconds <= self.end + TIME_TOLERANCE_SECONDS


@dataclass(frozen=True)
class SpotScore:
    region_hit: bool | None
    time_hit: bool | None

    @property
    def correct(self) -> bool:
        return all(hit is not False for hit in (self.region_hit, self.time_hit)) and any(
            hit is not None for hit in (self.region_hit, self.time_hit)
        )

    @property
    def score(self) -> float:
        asked = [hit for hit in (self.region_hit, self.time_hit) if hit is not None]
        return sum(asked) / len(asked) if asked else 0.0


def score_spot(
    tells: Iterable[MarkedTell],
    *,
    region: Box | None,
    seconds: float | None,
    asks_region: bool,
    asks_time: bool,
) -> SpotScore:
    """Both parts must point at the same tell for a full mark when both are asked."""
    tells = list(tells)
    region_hits = {i for i, t in enumerate(tells) if region is not None and t.hit_by_region(region)}
    time_hits = {i for i, t in enumerate(tells) if seconds is not None and t.hit_by_time(seconds)}
    if asks_region and asks_time:
        same = region_hits & time_hits
        if same or not (region_hits and time_hits):
            return SpotScore(bool(region_hits), bool(time_hits))
        # Right place and right moment, but of two different tells: half marks.
        return SpotScore(True, False)
    return SpotScore(
        bool(region_hits) if asks_region else None,
        bool(time_hits) if asks_time else None,
    )
