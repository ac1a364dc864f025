"""Bar charts of a release, as small hand-written SVG files for the catalog page.

The numbers are computed with Polars from the release's Parquet files; the drawing is plain
SVG text with a `<title>` and a `<desc>` (the numbers in words) for screen readers. Same
release, same bytes: no clock, no random ids, coordinates rounded to one decimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

import polars as pl

WIDTH = 640
BAR_COLOUR = "#2f6690"
GRID_COLOUR = "#d0d7de"
TEXT_COLOUR = "#1f2328"
MOST_BARS = 12          # categories beyond these are summed into one "other" bar
MOST_YEARS = 120        # a longer span is drawn per decade
LABEL_CHARS = 28        # longer category labels are cut with an ellipsis (full text in the bar's title)
NOT_GIVEN = "not given"


@dataclass(frozen=True)
class Chart:
    """One chart: `name` is its file stem, `bars` its (label, value) pairs in drawing order."""

    name: str
    title: str
    category_label: str
    value_label: str
    bars: list[tuple[str, int]]
    note: str = ""
    columns: bool = False    # vertical bars along a time axis, rather than labelled rows

    @property
    def description(self) -> str:
        """The chart's numbers in words: the text alternative for people who cannot see it."""
        shown = [(label, value) for label, value in self.bars if value] if self.columns else self.bars
        values = "; ".join(f"{label}: {value:,}" for label, value in shown) or "no data"
        return f"{self.title}. {values}.{' ' + self.note if self.note else ''}"


def _counted(table: pl.DataFrame, column: str) -> list[tuple[str, int]]:
    """(value, rows) of `column`, largest first, ties by value; the tail summed as "other"."""
    counts = (table.select(pl.col(column).fill_null(NOT_GIVEN)).group_by(column).len()
              .sort(["len", column], descending=[True, False]))
    rows = [(str(value), n) for value, n in counts.iter_rows()]
    if len(rows) <= MOST_BARS:
        return rows
    rest = rows[MOST_BARS - 1:]
    return rows[:MOST_BARS - 1] + [(f"other ({len(rest)})", sum(n for _, n in rest))]


def documents_per_year(documents: pl.DataFrame) -> Chart:
    """A column per year from the first to the last, empty years included; per decade when
    the years are too many for columns one can see."""
    years = documents.select(pl.col("date_start").dt.year().alias("year")).drop_nulls()
    counts = dict(years.group_by("year").len().iter_rows())
    undated = documents.height - years.height
    note = f"{undated:,} undated {'document is' if undated == 1 else 'documents are'} not shown." if undated else ""
    if counts and max(counts) - min(counts) >= MOST_YEARS:
        decades = dict(years.group_by(pl.col("year") // 10 * 10).len().iter_rows())
        bars = [(f"{d}s", decades.get(d, 0)) for d in range(min(decades), max(decades) + 1, 10)]
        return Chart("documents-by-year", "Documents per decade", "decade", "documents", bars, note, columns=True)
    bars = [(str(y), counts.get(y, 0)) for y in range(min(counts), max(counts) + 1)] if counts else []
    return Chart("documents-by-year", "Documents per year", "year", "documents", bars, note, columns=True)


def release_charts(release: Path) -> list[Chart]:
    """The catalog's charts of the release in folder `release`."""
    documents = pl.read_parquet(release / "data" / "documents.parquet",
                                columns=["date_start", "archive", "document_type"])
    collections = pl.read_parquet(release / "data" / "collections.parquet", columns=["title", "document_count"])
    largest = collections.sort(["document_count", "title"], descending=[True, False]).head(MOST_BARS)
    more = collections.height - largest.height
    return [
        documents_per_year(documents),
        Chart("documents-by-archive", "Documents by archive", "archive", "documents",
              _counted(documents, "archive")),
        Chart("documents-by-type", "Documents by document type", "document type", "documents",
              _counted(documents, "document_type")),
        Chart("collections-by-size", "Documents per collection", "collection", "documents",
              [(str(title), n) for title, n in largest.iter_rows()],
              f"The {largest.height} largest of {collections.height:,} collections." if more else ""),
    ]


def _num(x: float) -> str:
    """A coordinate as SVG text: one decimal at most, no trailing '.0'."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _ticks(largest: int) -> list[int]:
    """Round values from 0 to at least `largest` for the value axis: steps of 1, 2 or 5 × 10^k."""
    rough = max(largest, 1) / 5
    magnitude = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return list(range(0, math.ceil(max(largest, 1) / step) * step + 1, step))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def _open_svg(chart: Chart, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{_num(height)}" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" role="img" aria-labelledby="title desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="13" fill="{TEXT_COLOUR}">',
        f'<title id="title">{escape(chart.title)}</title>',
        f'<desc id="desc">{escape(chart.description)}</desc>',
        f'<rect width="{WIDTH}" height="{_num(height)}" fill="#ffffff"/>',
        f'<text x="16" y="24" font-size="16" font-weight="bold">{escape(chart.title)}</text>',
    ]


def _close_svg(chart: Chart, height: float) -> list[str]:
    note = [f'<text x="16" y="{_num(height - 10)}" font-size="12">{escape(chart.note)}</text>'] if chart.note else []
    return note + ["</svg>", ""]


def _bar(x: float, y: float, width: float, height: float, tooltip: str) -> str:
    return (f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(width)}" height="{_num(height)}" '
            f'fill="{BAR_COLOUR}"><title>{escape(tooltip)}</title></rect>')


def horizontal_bars_svg(chart: Chart) -> str:
    """One labelled row per bar, values along the bottom axis."""
    left, right, top, row = 210, 48, 52, 26
    plot_width = WIDTH - left - right
    ticks = _ticks(max((v for _, v in chart.bars), default=0))
    plot_height = row * max(len(chart.bars), 1)
    height = top + plot_height + 48 + (18 if chart.note else 0)
    scale = plot_width / ticks[-1]
    lines = _open_svg(chart, height)
    for tick in ticks:
        x = left + tick * scale
        lines.append(f'<line x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{top + plot_height}" '
                     f'stroke="{GRID_COLOUR}"/>')
        lines.append(f'<text x="{_num(x)}" y="{top + plot_height + 16}" text-anchor="middle">{tick:,}</text>')
    lines.append(f'<text x="{left - 8}" y="{top - 6}" text-anchor="end" font-style="italic">'
                 f'{escape(chart.category_label.capitalize())}</text>')
    for i, (label, value) in enumerate(chart.bars):
        y = top + i * row
        lines.append(f'<text x="{left - 8}" y="{_num(y + row / 2 + 4)}" text-anchor="end">'
                     f'{escape(_short(label))}</text>')
        if value:
            lines.append(_bar(left, y + 4, value * scale, row - 8, f"{label}: {value:,}"))
        lines.append(f'<text x="{_num(left + value * scale + 4)}" y="{_num(y + row / 2 + 4)}">{value:,}</text>')
    if not chart.bars:
        lines.append(f'<text x="{left}" y="{top + 16}">no data</text>')
    lines.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}" stroke="{TEXT_COLOUR}"/>')
    lines.append(f'<text x="{_num(left + plot_width / 2)}" y="{top + plot_height + 36}" '
                 f'text-anchor="middle">{escape(chart.value_label.capitalize())}</text>')
    return "\n".join(lines + _close_svg(chart, height))


def columns_svg(chart: Chart) -> str:
    """One column per period (a year), values up the left axis; every few periods labelled."""
    left, right, top, plot_height = 56, 16, 44, 220
    plot_width = WIDTH - left - right
    ticks = _ticks(max((v for _, v in chart.bars), default=0))
    height = top + plot_height + 52 + (18 if chart.note else 0)
    scale = plot_height / ticks[-1]
    slot = plot_width / max(len(chart.bars), 1)
    every = next(n for n in (1, 2, 5, 10, 20, 50, 100) if len(chart.bars) / n <= 12)
    bottom = top + plot_height
    lines = _open_svg(chart, height)
    for tick in ticks:
        y = bottom - tick * scale
        lines.append(f'<line x1="{left}" y1="{_num(y)}" x2="{WIDTH - right}" y2="{_num(y)}" stroke="{GRID_COLOUR}"/>')
        lines.append(f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end">{tick:,}</text>')
    for i, (label, value) in enumerate(chart.bars):
        x = left + i * slot
        if value:
            lines.append(_bar(x + slot * 0.1, bottom - value * scale, slot * 0.8, value * scale,
                              f"{label}: {value:,}"))
        if (int(label) if label.isdigit() else i) % every == 0:
            lines.append(f'<text x="{_num(x + slot / 2)}" y="{bottom + 16}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    if not chart.bars:
        lines.append(f'<text x="{left + 8}" y="{bottom - 8}">no data</text>')
    lines.append(f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - right}" y2="{bottom}" stroke="{TEXT_COLOUR}"/>')
    lines.append(f'<text transform="translate(14 {_num(top + plot_height / 2)}) rotate(-90)" '
                 f'text-anchor="middle">{escape(chart.value_label.capitalize())}</text>')
    lines.append(f'<text x="{_num(left + plot_width / 2)}" y="{bottom + 36}" '
                 f'text-anchor="middle">{escape(chart.category_label.capitalize())}</text>')
    return "\n".join(lines + _close_svg(chart, height))


def chart_svg(chart: Chart) -> str:
    return columns_svg(chart) if chart.columns else horizontal_bars_svg(chart)
