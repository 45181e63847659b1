"""Server-rendered SVG charts (no script, no CDN): they scale to the width of the card through
their viewBox and stay readable on a 375 px screen (few bars, large labels, a text alternative)."""

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

W, H, PAD_L, PAD_B, PAD_T = 340, 180, 28, 28, 12


def weekly_bars(title, weeks, series) -> str:
    """Grouped bars per week. `series`: [(label, css class, [values per week])]."""
    top = max([1, *(v for _label, _cls, values in series for v in values)])
    n = len(weeks)
    slot = (W - PAD_L) / n
    bar = max(2.0, (slot - 4) / len(series))
    plot_h = H - PAD_B - PAD_T
    rects = []
    for s_index, (label, cls, values) in enumerate(series):
        for w_index, value in enumerate(values):
            h = plot_h * value / top
            x = PAD_L + w_index * slot + 2 + s_index * bar
            rects.append((cls, f"{x:.1f}", f"{H - PAD_B - h:.1f}", f"{bar - 1:.1f}", f"{h:.1f}", label, value))
    ticks = [(f"{PAD_L + i * slot + slot / 2:.1f}", date_format(weeks[i], "d/m")) for i in range(0, n, 3)]
    legend = format_html_join(
        "", '<tspan class="{}" dx="8">■ {}</tspan>', ((cls, label) for label, cls, _values in series)
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{title}" preserveAspectRatio="xMidYMid meet">'
        "<title>{title}</title>"
        '<text x="0" y="{tt}" class="axis">{top}</text><text x="0" y="{zero}" class="axis">0</text>'
        '<line x1="{l}" y1="{zero}" x2="{w}" y2="{zero}" class="baseline"/>{rects}{ticks}'
        '<text x="{l}" y="{ly}" class="legend">{legend}</text></svg>',
        w=W, h=H, title=title, top=top, tt=PAD_T + 4, zero=H - PAD_B, l=PAD_L, ly=PAD_T - 2,
        rects=format_html_join(
            "", '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>', rects
        ),
        ticks=format_html_join("", '<text x="{}" y="' + str(H - 8) + '" class="axis" text-anchor="middle">{}</text>', ticks),
        legend=legend,
    )  # fmt: skip


def split_bar(title, parts) -> str:
    """One horizontal bar split in parts (the 90-9-1 curve). `parts`: [(label, css class, value)]."""
    total = sum(v for _l, _c, v in parts) or 1
    x = 0.0
    rects, labels = [], []
    for index, (label, cls, value) in enumerate(parts):
        width = W * value / total
        rects.append((cls, f"{x:.1f}", f"{width:.1f}", label, value))
        share = round(100 * value / total)
        labels.append((cls, 18 + 18 * index, label, value, share))
        x += width
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{title}"><title>{title}</title>{rects}{labels}</svg>',
        w=W, h=40 + 18 * len(parts), title=title,
        rects=format_html_join("", '<rect class="{}" x="{}" y="0" width="{}" height="14"><title>{}: {}</title></rect>', rects),
        labels=format_html_join(
            "", '<text class="legend {}" x="0" y="{}">■ {} — {} ({} %)</text>',
            ((cls, y + 20, label, value, share) for cls, y, label, value, share in labels),
        ),
    )  # fmt: skip
