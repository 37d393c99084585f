"""Terminal pictures of metric series for the `labbook` console script: the plot and the TREND
sparkline of the Java CLI (cli/.../render/Plot.java and Sparkline.java), ported line for line so
that both CLIs print the same bytes for the same points and width.

The plot cuts the step range into one bucket per column and draws, for each series, the whole
range from the smallest to the largest value of its points in that bucket: the server's min/max
downsampling keeps a spike or a dip, and the plot draws it instead of averaging it away. The y axis
runs from the smallest to the largest finite value; its top and bottom labels are those values.
NaN and infinities are skipped and counted.

Pure Python (math only): the console script imports it at start without cost.
"""
from __future__ import annotations

import math
import re
from typing import List, NamedTuple, Sequence

SOLO = "█"
MARKERS = "•×+o*#%@=~"
COLORS = (34, 31, 32, 33, 35, 36, 94, 91, 92, 93)
RESET = "\x1b[0m"
#: Columns between step ticks on the x axis, at least.
TICK_SPACING = 14
LEVELS = 4
#: Braille dot bits (U+2800 + bits) by column side (left, right) and level (0: bottom).
DOTS = ((0x40, 0x04, 0x02, 0x01), (0x80, 0x20, 0x10, 0x08))
NO_VALUES = "(no finite values to plot)"


class Series(NamedTuple):
    """One series: its label (for the legend) and its points in step order."""
    label: str
    steps: Sequence[int]
    values: Sequence[float]


def fmt_double(v: float) -> str:
    """Sparkline.format: integers without a fraction, else 6 significant digits without trailing zeros."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == math.floor(v) and abs(v) < 1e15:
        return str(int(v))
    # Java's %.6g rounds the digits of Double.toString half up (0.1234565 -> 0.123457); Python's
    # rounds the exact binary value (0.12345649999... -> 0.123456): round as Java first.
    from decimal import ROUND_HALF_UP, Context, Decimal
    s = "%.6g" % float(Context(prec=6, rounding=ROUND_HALF_UP).plus(Decimal(repr(v))))
    # Java's %.6g keeps trailing zeros and a 2-digit exponent; the Java CLI strips the zeros.
    s = re.sub(r"(\.\d*?)0+($|e)", r"\1\2", s).replace(".e", "e")
    return s[:-1] if s.endswith(".") else s


def java_round(x: float) -> int:
    """Math.round: the nearest integer, ties up; exact where floor(x + 0.5) is not (0.49999999999999994)."""
    f = math.floor(x)
    return int(f) + 1 if x - f >= 0.5 else int(f)


def marker(index: int, count: int) -> str:
    return SOLO if count == 1 else MARKERS[index % len(MARKERS)]


def _color(k: int) -> str:
    return "\x1b[%dm" % COLORS[k % len(COLORS)]


class Plot:
    """Plot.of(series, width, height, color).render(): the chart's lines, each at most `width`
    characters (plus colour codes): the plot rows with value labels on the left, the x axis with
    tick marks, the step labels, and for several series a legend (one line per series). Where
    series overlap in a cell, the later one is drawn."""

    def __init__(self, series: Sequence[Series], width: int, height: int, color: bool = False) -> None:
        self.series = list(series)
        self.width = width
        self.height = max(2, height)
        self.color = color
        #: NaN or infinite points skipped by the last render().
        self.skipped = 0

    def render(self) -> List[str]:
        self.skipped = 0
        lo, hi = math.inf, -math.inf
        first = last = None
        for s in self.series:
            for step, v in zip(s.steps, s.values):
                if not math.isfinite(v):
                    self.skipped += 1
                    continue
                lo, hi = min(lo, v), max(hi, v)
                first = step if first is None else min(first, step)
                last = step if last is None else max(last, step)
        if lo > hi:
            return [NO_VALUES]
        height = self.height
        labels = []
        for r in range(height):
            # Top and bottom carry the exact extremes; every fourth row between them its value.
            labelled = r == 0 or r == height - 1 or (r % 4 == 0 and height - 1 - r >= 2)
            labels.append(fmt_double(self._value_at_row(r, lo, hi)) if labelled else "")
        label_width = max(len(label) for label in labels)
        columns = max(2, self.width - label_width - 2)
        span = last - first + 1
        if span < columns:
            columns = max(2, span)   # one column per step: no gaps between them
        # grid[row][col]: index of the series drawn there, -1 for empty. Row 0 is the top.
        grid = [[-1] * columns for _ in range(height)]
        for k, s in enumerate(self.series):
            cmin = [math.inf] * columns
            cmax = [-math.inf] * columns
            for step, v in zip(s.steps, s.values):
                if math.isfinite(v):
                    c = _column(step, first, span, columns)
                    cmin[c] = min(cmin[c], v)
                    cmax[c] = max(cmax[c], v)
            for c in range(columns):
                if cmin[c] <= cmax[c]:
                    for r in range(self._row(cmax[c], lo, hi), self._row(cmin[c], lo, hi) + 1):
                        grid[r][c] = k
        out = []
        count = len(self.series)
        for r in range(height):
            line = [" " * (label_width - len(labels[r])), labels[r], " ┤" if labels[r] else " │"]
            current = -1
            for k in grid[r]:
                if self.color and k != current:
                    line.append(RESET if k < 0 else _color(k))
                    current = k
                line.append(" " if k < 0 else marker(k, count))
            if self.color and current >= 0:
                line.append(RESET)
            out.append("".join(line).rstrip(" "))
        # The x axis: tick marks at evenly spaced columns, each labelled with the first step of its bucket.
        ticks = max(1, columns // TICK_SPACING)
        tick_columns = [columns - 1 if t == ticks else t * (columns - 1) // ticks for t in range(ticks + 1)]
        axis = " " * (label_width + 1) + "└" + "".join("┬" if c in tick_columns else "─" for c in range(columns))
        label_line = [" "] * (label_width + 2 + columns + 16)
        free_from = 0
        for t, c in enumerate(tick_columns):
            final = t == len(tick_columns) - 1
            text = str(last if final else first + c * span // columns)
            at = max(label_width + 2 + c - (len(text) - 1 if final else len(text) // 2), label_width + 2)
            if at < free_from or at + len(text) > len(label_line):
                continue
            label_line[at:at + len(text)] = text
            free_from = at + len(text) + 1
        out.append(axis)
        out.append("".join(label_line).rstrip(" "))
        if count > 1:
            for k, s in enumerate(self.series):
                mark = marker(k, count)
                out.append(" " * (label_width + 2) + (_color(k) + mark + RESET if self.color else mark) + " " + s.label)
        return out

    def _value_at_row(self, r: int, lo: float, hi: float) -> float:
        """The value at the centre of row r (0 = top = hi)."""
        return hi - (hi - lo) * r / (self.height - 1)

    def _row(self, v: float, lo: float, hi: float) -> int:
        if hi == lo:
            return self.height // 2
        r = java_round((hi - v) / (hi - lo) * (self.height - 1))
        return max(0, min(self.height - 1, r))


def _column(step: int, first: int, span: int, columns: int) -> int:
    c = int(float(step - first) / float(span) * columns)
    return max(0, min(columns - 1, c))


def sparkline(steps: Sequence[int], values: Sequence[float], width: int) -> str:
    """Sparkline.line, the TREND of metric tables: braille, two columns per character, each column
    drawn from the smallest to the largest value of its points on four dot rows (the series' min at
    the bottom, its max at the top), so a spike or a dip the server's min/max downsampling kept is
    not averaged away. At most `width` characters; "" when no value is finite."""
    finite = [(step, v) for step, v in zip(steps, values) if math.isfinite(v)]
    if not finite:
        return ""
    lo, hi = min(v for _, v in finite), max(v for _, v in finite)
    first, last = min(step for step, _ in finite), max(step for step, _ in finite)
    span = last - first + 1
    columns = max(1, min(2 * max(1, width), span))
    cmin = [math.inf] * columns
    cmax = [-math.inf] * columns
    for step, v in finite:
        c = _column(step, first, span, columns)
        cmin[c], cmax[c] = min(cmin[c], v), max(cmax[c], v)
    bits = [0] * ((columns + 1) // 2)
    for c in range(columns):
        if cmin[c] <= cmax[c]:
            for level in range(_level(cmin[c], lo, hi), _level(cmax[c], lo, hi) + 1):
                bits[c // 2] |= DOTS[c % 2][level]
    return "".join(chr(0x2800 + b) if b else " " for b in bits)


def _level(v: float, lo: float, hi: float) -> int:
    """The dot row of v: 0 (bottom, lo) to LEVELS - 1 (top, hi); 1 when flat."""
    return 1 if hi == lo else java_round((v - lo) / (hi - lo) * (LEVELS - 1))
