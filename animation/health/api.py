"""The health dashboard's figures over the REST API: `GET /api/v1/communities/<slug>/health/`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from animation.health.selectors import community_health
from animation.selectors import access_animated_community


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def health(request, slug):
    """Members, active members (30 days), contributors vs readers (90 days), posts and comments
    per week (12 weeks, oldest first), questions answered and median time to a first answer,
    last pulse NPS (null below 5 answers), pending flags and the suggested next actions."""
    community = access_animated_community(request.user, slug)
    f = community_health(community)
    median = f["median_first_answer"]
    return Response({
        "members": f["members"], "active_30_days": f["active"],
        "contributors": {"frequent": f["heavy"], "occasional": f["occasional"], "readers": f["readers"]},
        "weeks": [w.date().isoformat() for w in f["weeks"]],
        "posts_per_week": f["posts_per_week"], "comments_per_week": f["comments_per_week"],
        "questions": f["questions"], "questions_answered": f["answered"], "answered_share": f["answered_share"],
        "median_first_answer_hours": round(median.total_seconds() / 3600, 1) if median is not None else None,
        "unanswered_48h": f["unanswered_48h"], "last_post_at": f["last_post_at"],
        "last_pulse": f["pulse"], "pending_flags": f["pending_flags"], "archive_proposals": f["archive_proposals"],
        "suggestions": [{"key": s.key, "text": s.text, "url": s.url} for s in f["suggestions"]],
    })  # fmt: skip
