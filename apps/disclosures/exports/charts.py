"""Charts for the PDF, drawn with reportlab.graphics from snapshot["breakdowns"] (vector, no matplotlib).

Labels are drawn as plain strings (not Paragraph markup), so hostile names need no escaping here; long ones are
shortened so they do not run over the bars.
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from ._common import is_number

LOCATION_COLOUR = colors.HexColor("#2f6f4f")
MARKET_COLOUR = colors.HexColor("#9cc5a1")
ENERGY_COLOUR = colors.HexColor("#3d5a80")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short(label: str, limit: int = 28) -> str:
    label = str(label) if label not in (None, "") else "(none)"
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def _month_label(key: str) -> str:
    # "2025-03" -> "Mar 25"; anything else is shown as given
    try:
        year, month = key.split("-")[:2]
        return f"{MONTHS[int(month) - 1]} {year[-2:]}"
    except (ValueError, IndexError):
        return _short(key, 8)


def _number(row: dict, key: str) -> float:
    value = row.get(key)
    return float(value) if is_number(value) else 0.0


def _title(drawing: Drawing, text: str, font: str, width: float, height: float) -> None:
    drawing.add(String(0, height - 12, text, fontName=font, fontSize=10, fillColor=colors.HexColor("#1b1b1b")))


def monthly_emissions_chart(
    by_month: list[dict], font: str, bold_font: str, width: float = 500, height: float = 230
) -> Drawing:
    """Grouped bars per month: location- and market-based tCO2e, with a legend."""
    drawing = Drawing(width, height)
    _title(drawing, "GHG emissions by month (tCO2e, all scopes)", bold_font, width, height)
    rows = list(by_month)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45, 45, width - 60, height - 95
    chart.data = [
        [_number(r, "co2e_location_kg") / 1000 for r in rows] or [0],
        [_number(r, "co2e_market_kg") / 1000 for r in rows] or [0],
    ]
    chart.categoryAxis.categoryNames = [_month_label(str(r.get("key", ""))) for r in rows] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 0 if len(rows) <= 12 else 45
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = "%.2f" if max(chart.data[0] + chart.data[1]) < 10 else "%.0f"
    chart.bars[0].fillColor = LOCATION_COLOUR
    chart.bars[1].fillColor = MARKET_COLOUR
    chart.bars.strokeColor = None
    chart.groupSpacing = 6
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 50, height - 28
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 150
    legend.colorNamePairs = [(LOCATION_COLOUR, "location-based"), (MARKET_COLOUR, "market-based")]
    drawing.add(legend)
    return drawing


def monthly_energy_chart(
    by_month: list[dict], font: str, bold_font: str, width: float = 500, height: float = 190
) -> Drawing:
    """Bars per month: energy in MWh (own operations and purchased services together)."""
    drawing = Drawing(width, height)
    _title(drawing, "Energy by month (MWh, own operations and purchased AI services)", bold_font, width, height)
    rows = list(by_month)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45, 30, width - 60, height - 60
    chart.data = [[_number(r, "energy_kwh") / 1000 for r in rows] or [0]]
    chart.categoryAxis.categoryNames = [_month_label(str(r.get("key", ""))) for r in rows] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = ENERGY_COLOUR
    chart.bars.strokeColor = None
    drawing.add(chart)
    return drawing


def ranking_chart(
    rows: list[dict], title: str, font: str, bold_font: str, top: int = 8, width: float = 500, label_width: float = 150
) -> Drawing:
    """Horizontal bars of the `top` largest rows by location-based tCO2e (the rest summed as 'other')."""
    ordered = sorted(rows, key=lambda r: (-_number(r, "co2e_location_kg"), str(r.get("key", ""))))
    shown = ordered[:top]
    rest = ordered[top:]
    labels = [_short(r.get("key", "")) for r in shown]
    values = [_number(r, "co2e_location_kg") / 1000 for r in shown]
    if rest:
        labels.append(f"{len(rest)} other")
        values.append(sum(_number(r, "co2e_location_kg") for r in rest) / 1000)
    if not values:
        labels, values = ["(no data)"], [0.0]
    bar_height = 14
    height = 40 + bar_height * len(values)
    drawing = Drawing(width, height)
    _title(drawing, title, bold_font, width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 20
    chart.width, chart.height = width - label_width - 50, bar_height * len(values)
    # reportlab draws the first category at the bottom: reverse so the largest is on top
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = LOCATION_COLOUR
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%.2f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing
