"""The health dashboard of a community (Animate space)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from animation.health import charts
from animation.health.selectors import community_health
from animation.selectors import access_animated_community


def duration_text(delta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return _("%(n)d min") % {"n": max(1, round(hours * 60))}
    if hours < 48:
        return _("%(n)d h") % {"n": round(hours)}
    return _("%(n)d days") % {"n": round(hours / 24)}


@login_required
def health(request, slug):
    community = access_animated_community(request.user, slug)
    figures = community_health(community)
    activity_chart = charts.weekly_bars(
        _("Posts and comments per week"),
        figures["weeks"],
        [(_("Posts"), "posts", figures["posts_per_week"]), (_("Comments"), "comments", figures["comments_per_week"])],
    )
    split_chart = charts.split_bar(
        _("Contributors and readers over 90 days"),
        [
            (_("Frequent contributors (10+)"), "heavy", figures["heavy"]),
            (_("Occasional contributors"), "occasional", figures["occasional"]),
            (_("Readers"), "readers", figures["readers"]),
        ],
    )
    return render(
        request, "animation/health.html",
        {"community": community, "section": "health", "f": figures, "activity_chart": activity_chart,
         "split_chart": split_chart,
         "weekly_rows": list(zip(figures["weeks"], figures["posts_per_week"], figures["comments_per_week"], strict=True)),
         "median_text": duration_text(figures["median_first_answer"]) if figures["median_first_answer"] else None},
    )  # fmt: skip
