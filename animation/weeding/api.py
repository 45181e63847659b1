"""Weeding over the REST API (paths fixed by the animation issue): flags, the moderation queues
and decisions, the audit log, keyword rules and their dry run. Thin: serializers validate,
services decide."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from animation.selectors import access_animated_community
from animation.weeding import archiving, rules, selectors, services
from animation.weeding.models import Flag, KeywordRule, ModerationCase
from communities.selectors import access_comment_by_id, access_post_by_id
from rse.accounts.roles import is_administrator

# --- Flags -----------------------------------------------------------------------------------


class FlagInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class FlagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    reason = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


def _flag(request, content):
    data = FlagInput(data=request.data)
    data.is_valid(raise_exception=True)
    flag = services.do_flag(request.user, content, **data.validated_data)
    return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


@extend_schema(request=FlagInput, responses={201: FlagSerializer})
@api_view(["POST"])
def post_flags(request, pk):
    """Report a post: `{"reason": "spam|off-topic|offensive|confidential|other", "note": "…"}`."""
    return _flag(request, access_post_by_id(request.user, pk))


@extend_schema(request=FlagInput, responses={201: FlagSerializer})
@api_view(["POST"])
def comment_flags(request, pk):
    comment = access_comment_by_id(request.user, pk)
    if comment.deleted_at or comment.hidden_at:
        from django.http import Http404

        raise Http404
    return _flag(request, comment)


# --- Moderation queue ------------------------------------------------------------------------


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.CharField(source="community.slug")
    status = serializers.CharField()
    source = serializers.CharField()
    target_type = serializers.SerializerMethodField()
    post_id = serializers.IntegerField()
    comment_id = serializers.IntegerField(allow_null=True)
    author_id = serializers.SerializerMethodField()
    excerpt = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()
    removed = serializers.SerializerMethodField()
    flags_count = serializers.IntegerField()
    flags = serializers.SerializerMethodField()
    held_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    decision = serializers.CharField()
    decision_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_target_type(self, obj) -> str:
        return "comment" if obj.comment_id else "post"

    def get_author_id(self, obj) -> int:
        return obj.target.author_id

    def get_excerpt(self, obj) -> str:
        target = obj.target
        return f"{getattr(target, 'title', '') or ''} {target.body_text}".strip()[:280]

    def get_hidden(self, obj) -> bool:
        return obj.target.hidden_at is not None

    def get_removed(self, obj) -> bool:
        return obj.target.deleted_at is not None

    def get_flags(self, obj) -> list[dict]:
        return [
            {"reason": f.reason, "note": f.note, "reporter_id": f.reporter_id, "created_at": f.created_at}
            for f in obj.flags.all()
        ]


def _status(request):
    wanted = request.query_params.get("status", ModerationCase.Status.PENDING)
    return wanted if wanted in ModerationCase.Status.values else ModerationCase.Status.PENDING


@extend_schema(responses=inline_serializer("ModerationQueue", {"results": CaseSerializer(many=True)}))
@api_view(["GET"])
def community_queue(request, slug):
    """The community's cases, pending by default (`?status=decided` for the history)."""
    community = access_animated_community(request.user, slug)
    rows = selectors.list_queue(community, status=_status(request))[:200]
    return Response({"results": CaseSerializer(rows, many=True).data})


@extend_schema(responses=inline_serializer("GlobalModerationQueue", {"results": CaseSerializer(many=True)}))
@api_view(["GET"])
def global_queue(request):
    """Every community's pending cases, for administrators."""
    rows = selectors.list_global_queue(request.user, status=_status(request))[:200]
    return Response({"results": CaseSerializer(rows, many=True).data})


class DecisionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=ModerationCase.Action.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    days = serializers.IntegerField(min_value=1, max_value=services.MAX_SUSPENSION_DAYS, required=False)
    body_md = serializers.CharField(max_length=20_000, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema(request=DecisionInput, responses=CaseSerializer)
@api_view(["POST"])
def decision(request, pk):
    """`{"action": "keep|hide|remove|edit|lock|warn|suspend", "reason": "…", "days": N}`."""
    case = selectors.access_case_by_id(request.user, pk)
    data = DecisionInput(data=request.data)
    data.is_valid(raise_exception=True)
    services.do_decide(request.user, case, **data.validated_data)
    return Response(CaseSerializer(selectors.access_case_by_id(request.user, pk)).data)


# --- Audit log -------------------------------------------------------------------------------


class AuditSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    actor_id = serializers.IntegerField(allow_null=True)
    actor = serializers.CharField(source="actor_name")
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.IntegerField(allow_null=True)
    target = serializers.CharField(source="target_label")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


@extend_schema(responses=inline_serializer("AuditLog", {"results": AuditSerializer(many=True)}))
@api_view(["GET"])
def audit_log(request, slug):
    community = access_animated_community(request.user, slug)
    return Response({"results": AuditSerializer(selectors.list_audit(community)[:500], many=True).data})


# --- Keyword rules ---------------------------------------------------------------------------


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pattern = serializers.CharField()
    is_regex = serializers.BooleanField()
    action = serializers.CharField()
    message = serializers.CharField()
    company_wide = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_company_wide(self, obj) -> bool:
        return obj.community_id is None


class RuleInput(serializers.Serializer):
    pattern = serializers.CharField(max_length=rules.MAX_PATTERN)
    is_regex = serializers.BooleanField(default=False)
    action = serializers.ChoiceField(choices=KeywordRule.Action.choices, default=KeywordRule.Action.HOLD)
    message = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    company_wide = serializers.BooleanField(default=False, help_text="administrators only")


@extend_schema(methods=["GET"], responses=inline_serializer("RuleList", {"results": RuleSerializer(many=True)}))
@extend_schema(methods=["POST"], request=RuleInput, responses={201: RuleSerializer})
@api_view(["GET", "POST"])
def community_rules(request, slug):
    """The community's rules and the company-wide ones; POST adds one (company-wide: administrators)."""
    community = access_animated_community(request.user, slug)
    if request.method == "POST":
        data = RuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.do_create_rule(request.user, community, **data.validated_data)
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)
    return Response({"results": RuleSerializer(rules.rules_for(community), many=True).data})


class DryRunInput(serializers.Serializer):
    pattern = serializers.CharField(max_length=rules.MAX_PATTERN)
    is_regex = serializers.BooleanField(default=False)
    company_wide = serializers.BooleanField(default=False)


@extend_schema(
    request=DryRunInput,
    responses=inline_serializer(
        "RuleDryRun",
        {
            "checked": serializers.IntegerField(),
            "caught": inline_serializer(
                "RuleDryRunHit",
                {
                    "type": serializers.CharField(),
                    "id": serializers.IntegerField(),
                    "post_id": serializers.IntegerField(),
                    "excerpt": serializers.CharField(),
                    "created_at": serializers.DateTimeField(),
                },  # fmt: skip
                many=True,
            ),
        },
    ),
)
@api_view(["POST"])
def rules_dry_run(request, slug):
    """What a rule would have caught in the last 500 posts and comments, before saving it."""
    community = access_animated_community(request.user, slug)
    data = DryRunInput(data=request.data)
    data.is_valid(raise_exception=True)
    company_wide = data.validated_data["company_wide"] and is_administrator(request.user)
    services.check_manage_rule(request.user, community, company_wide=company_wide)
    result = rules.dry_run(None if company_wide else community, data.validated_data["pattern"],
                           data.validated_data["is_regex"])  # fmt: skip
    return Response(result)


# --- Stale content (beyond the list: what the Animate page does, for scripts) --------


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    target_type = serializers.SerializerMethodField()
    post_id = serializers.IntegerField(allow_null=True)
    title = serializers.SerializerMethodField()
    last_activity_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    objection = serializers.CharField()

    def get_target_type(self, obj) -> str:
        return "post" if obj.post_id else "community"

    def get_title(self, obj) -> str:
        return str(obj.post if obj.post_id else obj.community)


@extend_schema(responses=inline_serializer("ArchiveProposals", {"results": ProposalSerializer(many=True)}))
@api_view(["GET"])
def archive_proposals(request, slug):
    """Conversations (or the community) proposed for archiving, pending or objected."""
    community = access_animated_community(request.user, slug)
    rows = selectors.list_proposals(community).select_related("community")[:200]
    return Response({"results": ProposalSerializer(rows, many=True).data})


class ProposalDecisionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["archive", "keep"])
    objection = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@extend_schema(request=ProposalDecisionInput, responses=ProposalSerializer)
@api_view(["POST"])
def archive_proposal_decision(request, pk):
    """`{"action": "archive"}` archives now; `{"action": "keep", "objection": "…"}` objects."""
    proposal = selectors.access_proposal_by_id(request.user, pk)
    data = ProposalDecisionInput(data=request.data)
    data.is_valid(raise_exception=True)
    if data.validated_data["action"] == "archive":
        archiving.do_archive_now(request.user, proposal)
    else:
        archiving.do_object(request.user, proposal, objection=data.validated_data["objection"])
    proposal.refresh_from_db()
    return Response(ProposalSerializer(proposal).data)
