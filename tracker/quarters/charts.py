"""The geometry of the summary's charts, worked out once in Python.

The templates draw what is computed here: a province's scorecard chart has three
hundred bars, and doing their arithmetic in Jinja cost more than the figures.
"""

BAR_ROW = 22  # px per unit in the per-unit chart's 600-wide viewBox
BAR_LEFT, BAR_WIDTH = 150, 400
# (the class's label, the scorecard's field, the colour) of each part of a bar
BAR_PARTS = (("done_on_time", "done_on_time", "success"),
             ("done", "done_undated", "success"),
             ("done_late", "done_late", "warning"), ("overdue", "overdue", "danger"))
# A chart of three hundred bars is 6,600 px of SVG no one reads on a phone: it shows
# the units with the most work; the table beside it lists every unit.
CHART_UNITS = 20


def _px(value):
    return "%.2f" % value


def unit_bars(units, limit=CHART_UNITS):
    """Return (height, bars, left out) of the per-unit chart.

    units are the scorecard's rows, most work first. The chart shows the first
    `limit` units that lead or share work (left out counts the others with work);
    each bar is split into done on time, done without a date, done late and overdue, the rest in grey,
    scaled to the largest unit's work.
    """
    working = [u for u in units if u["led"] or u["shares"]]
    shown = working[:limit]
    top = max([1] + [u["led"] + u["shares"] for u in shown])
    bars = []
    for index, unit in enumerate(shown):
        y = index * BAR_ROW + 2
        total = unit["led"] + unit["shares"]
        x, parts = BAR_LEFT, []
        for key, field, colour in BAR_PARTS:
            count = unit.get(field) or 0
            width = BAR_WIDTH * count / top
            if width:
                parts.append(dict(key=key, colour=colour, count=count,
                                  x=_px(x), width=_px(width)))
            x += width
        rest = total - unit["done"] - unit["overdue"]
        rest_width = BAR_WIDTH * rest / top if rest > 0 else 0
        bars.append(dict(
            name=unit["short_name"], y=y, total=total, parts=parts,
            rest=rest if rest > 0 else 0, rest_x=_px(x), rest_width=_px(rest_width),
            label_x=_px(x + rest_width + 4),
        ))
    return len(shown) * BAR_ROW + 4, bars, len(working) - len(shown)
