"""Charts drawn on the server as inline SVG: no chart library, no script, readable without CSS.

Each chart has a ``<title>`` and a ``<desc>`` for screen readers, and every marked point carries
its own ``<title>``, which browsers show on hover.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 16, 46


@dataclass
class Line:
    label: str
    css: str
    points: list[tuple[float, float]]
    dots: bool = False


@dataclass
class Marker:
    x: float
    y: float
    title: str
    css: str = "flag"


@dataclass
class Chart:
    title: str
    lines: list[Line]
    x_ticks: list[tuple[float, str]]
    markers: list[Marker] = field(default_factory=list)
    y_format: Callable[[float], str] = lambda v: f"{v:,.0f}"


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` gridlines."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def render(chart: Chart, width: int = WIDTH, height: int = HEIGHT) -> Markup:
    xs = [x for line in chart.lines for x, _ in line.points] + [x for x, _ in chart.x_ticks]
    ys = [y for line in chart.lines for _, y in line.points] + [m.y for m in chart.markers]
    if not xs:
        return Markup("")
    x0, x1 = min(xs), max(xs)
    x1 = x1 if x1 > x0 else x0 + 1
    step = nice_step(max(ys, default=1.0) or 1.0)
    y1 = step * math.ceil((max(ys, default=1.0) or 1.0) / step)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * plot_w

    def py(y: float) -> float:
        return TOP + plot_h - (y / y1) * plot_h

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(chart.title)}</title>",
             f"<desc>{escape(', '.join(line.label for line in chart.lines))}</desc>"]
    tick = 0.0
    while tick <= y1 + 1e-9:
        y = py(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(chart.y_format(tick))}</text>')
        tick += step
    for x, label in chart.x_ticks:
        parts.append(f'<text class="axis" x="{px(x):.1f}" y="{height - BOTTOM + 18}" text-anchor="middle">{escape(label)}</text>')
    for line in chart.lines:
        if len(line.points) > 1:
            path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in line.points)
            parts.append(f'<polyline class="series {escape(line.css)}" fill="none" points="{path}"/>')
        if line.dots or len(line.points) == 1:
            for x, y in line.points:
                parts.append(f'<circle class="dot {escape(line.css)}" cx="{px(x):.1f}" cy="{py(y):.1f}" r="3"/>')
    for m in chart.markers:
        parts.append(f'<circle class="{escape(m.css)}" cx="{px(m.x):.1f}" cy="{py(m.y):.1f}" r="6">'
                     f"<title>{escape(m.title)}</title></circle>")
    legend_x = LEFT
    for line in chart.lines:
        parts.append(f'<rect class="key {escape(line.css)}" x="{legend_x}" y="{height - 16}" width="12" height="4"/>')
        parts.append(f'<text class="legend" x="{legend_x + 16}" y="{height - 11}">{escape(line.label)}</text>')
        legend_x += 24 + 8 * len(line.label) if line.label.isascii() else 24 + 14 * len(line.label)
    parts.append("</svg>")
    return Markup("".join(parts))


def sparse_ticks(labels: Sequence[tuple[float, str]], most: int = 8) -> list[tuple[float, str]]:
    """At most ``most`` labels, evenly picked, so the axis stays legible."""
    if len(labels) <= most:
        return list(labels)
    every = math.ceil(len(labels) / most)
    return [label for k, label in enumerate(labels) if k % every == 0]
