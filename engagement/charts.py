"""Charts drawn on the server as SVG: no script, no CDN, readable at 375 px (a viewBox scaled to
the card's width, three tick labels per axis, text large enough). Every chart's numbers are also
offered as CSV beside it."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 320, 170
LEFT, RIGHT, TOP, BOTTOM = 38, 10, 12, 30


def fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.1f}"


def line_chart(points, *, label: str, target=None, unit: str = "") -> str:
    """`points`: [(x label, value or None)]; a None leaves a gap (e.g. NPS hidden under 5 answers).
    `target`: a dashed horizontal line. Every text is escaped; numbers are formatted here."""
    values = [v for _x, v in points if v is not None]
    candidates = [*values, *([target] if target is not None else []), 0]
    low, high = min(candidates), max(candidates)
    if high == low:
        high = low + 1
    pad = (high - low) * 0.08
    high += pad
    low -= pad if low < 0 else 0
    if unit.strip() == "%" and high > 100 >= max(candidates):
        high = 100  # a percentage's axis ends at 100, not at 108
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(points)

    def x(i):
        return LEFT + (plot_w * (i / (n - 1) if n > 1 else 0.5))

    def y(v):
        return TOP + plot_h * (1 - (v - low) / (high - low))

    base = y(0)
    parts = [
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - RIGHT}" y2="{base:.1f}"/>',
    ]
    parts += [
        f'<text x="{LEFT - 4}" y="{y(t) + 4:.1f}" text-anchor="end">{fmt(round(t))}</text>'
        for t in (low, (low + high) / 2, high)
    ]
    shown = {0, n - 1, (n - 1) // 2} if n > 2 else set(range(n))
    for i, (xl, _v) in enumerate(points):
        if i in shown:
            anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}">{escape(xl)}</text>')
    if target is not None:
        parts.append(
            f'<line class="target" x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" y2="{y(target):.1f}">'
            f"<title>{escape(fmt(target))}{escape(unit)}</title></line>"
        )
    segments, segment = [], []
    for i, (_xl, v) in enumerate(points):
        if v is None:
            segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i):.1f},{y(v):.1f}")
    segments.append(segment)
    parts += [f'<polyline class="line" points="{" ".join(s)}"/>' for s in segments if len(s) > 1]
    parts += [
        f'<circle class="dot" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5"><title>{escape(xl)}: {fmt(v)}{escape(unit)}</title></circle>'
        for i, (xl, v) in enumerate(points)
        if v is not None
    ]
    return mark_safe(  # noqa: S308 - numbers formatted here, every text escaped above
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
