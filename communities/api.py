"""REST API (DRF), thin: the same selectors, permissions and services as the pages.

Lists are keyset-paginated with rse.lib.cursor (`{"results": [...], "next": url|null}`);
errors come back as 4xx with a reason (rse.lib.api.exception_handler)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from communities import permissions as perms
from communities import selectors, services
from communities.models import Comment, Community, Membership, Post, Reaction
from communities.prefetch import annotate_posts_for_viewer
from communities.search import TYPES, search
from rse.accounts.models import User
from rse.lib.cursor import paginate

# --- Serializers (read side; writes go through services) ------------------------------------------


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class CommunitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description_md = serializers.CharField()
    description_html = serializers.CharField()
    visibility = serializers.CharField()
    tags = serializers.SerializerMethodField()
    members_count = serializers.IntegerField()
    posts_count = serializers.IntegerField()
    last_activity_at = serializers.DateTimeField()
    cover = serializers.SerializerMethodField()
    my_membership = serializers.SerializerMethodField()

    def get_tags(self, obj) -> list[str]:
        return [t.name for t in obj.tags.all()]

    def get_cover(self, obj) -> str | None:
        return obj.cover.url if obj.cover else None

    def get_my_membership(self, obj) -> dict | None:
        m = getattr(obj, "viewer_membership", None)
        return {"role": m.role, "status": m.status} if m else None


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = AuthorSerializer()
    role = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


def _attachment(a):
    return {"id": a.pk, "name": a.name, "size": a.size, "is_image": a.is_image,
            "url": reverse("attachment_download", args=[a.pk])}  # fmt: skip


def _source_for_editor(user, content) -> str | None:
    """The markdown as typed, for its author only (the one who may edit it): it may name
    restricted items that body_html, served to every reader, withholds. None for the others."""
    return content.body_md if perms.can_edit_content(user, content) else None


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.SerializerMethodField()
    author = AuthorSerializer()
    kind = serializers.CharField()
    title = serializers.CharField()
    body_md = serializers.SerializerMethodField()
    body_html = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()
    pinned = serializers.SerializerMethodField()
    highlighted = serializers.SerializerMethodField()
    comments_count = serializers.IntegerField()
    reactions_count = serializers.IntegerField()
    accepted_comment_id = serializers.IntegerField()
    shared_from = serializers.SerializerMethodField()
    requires_ack = serializers.BooleanField()
    acknowledgements = serializers.SerializerMethodField()
    poll = serializers.SerializerMethodField()
    event = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    viewer = serializers.SerializerMethodField()

    def get_community(self, obj) -> dict:
        return {"id": obj.community_id, "slug": obj.community.slug, "name": obj.community.name}

    def get_body_md(self, obj) -> str | None:
        return _source_for_editor(self.context["request"].user, obj)

    def get_pinned(self, obj) -> bool:
        return obj.pinned_at is not None

    def get_highlighted(self, obj) -> bool:
        return obj.highlighted_at is not None

    def get_shared_from(self, obj) -> dict | None:
        if not obj.shared_from_id:
            return None
        if not obj.original_readable:
            return {"id": None, "visible": False}
        original = obj.shared_from
        return {"id": original.pk, "visible": True, "title": str(original), "community": original.community.slug}

    def get_acknowledgements(self, obj) -> dict | None:
        if not obj.requires_ack:
            return None
        data = {"acknowledged": obj.has_acked}
        if obj.can_see_acks:
            data.update(count=obj.acks_count, members=obj.community.members_count)
        return data

    def get_poll(self, obj) -> dict | None:
        poll = getattr(obj, "poll", None) if obj.kind == Post.Kind.POLL else None
        if poll is None:  # a poll row is created with the post; tolerate hand-made data
            return None
        show = obj.can_see_results
        return {
            "multiple": poll.multiple,
            "closes_at": poll.closes_at,
            "closed": poll.is_closed,
            "voters_count": poll.voters_count,
            "options": [
                {"id": o.pk, "label": o.label, "votes_count": o.votes_count if show else None}
                for o in obj.poll_options.all()
            ],
        }

    def get_event(self, obj) -> dict | None:
        e = getattr(obj, "event", None) if obj.kind == Post.Kind.EVENT else None
        if e is None:
            return None
        return {"starts_at": e.starts_at, "ends_at": e.ends_at, "place": e.place,
                "yes": e.yes_count, "maybe": e.maybe_count, "no": e.no_count}  # fmt: skip

    def get_attachments(self, obj) -> list[dict]:
        return [_attachment(a) for a in obj.attachments.all()]

    def get_viewer(self, obj) -> dict:
        return {
            "reaction": obj.my_reaction,
            "bookmarked": obj.is_bookmarked,
            "voted_options": sorted(obj.my_choices),
            "rsvp": obj.my_rsvp,
            "can_comment": obj.can_comment,
            "can_moderate": obj.can_moderate,
        }


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    post_id = serializers.IntegerField()
    parent_id = serializers.IntegerField()
    author = AuthorSerializer()
    body_md = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField()
    reactions_count = serializers.IntegerField()
    my_reaction = serializers.CharField(allow_null=True, default=None)

    def get_deleted(self, obj) -> bool:
        return obj.deleted_at is not None

    def get_body_md(self, obj) -> str | None:
        return _source_for_editor(self.context["request"].user, obj)

    def get_body_html(self, obj) -> str:
        return "" if obj.deleted_at else obj.body_html


# --- Input shapes (documentation for the OpenAPI schema; validation is the services' job) -------


class CommunityInput(serializers.Serializer):
    name = serializers.CharField()
    description_md = serializers.CharField(required=False)
    visibility = serializers.ChoiceField(choices=Community.Visibility.choices, required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    cover = serializers.ImageField(required=False)
    template = serializers.IntegerField(required=False, help_text="id of a community template (creation only)")


class PostInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Post.Kind.choices, required=False)
    title = serializers.CharField(required=False)
    body_md = serializers.CharField(required=False)
    requires_ack = serializers.BooleanField(required=False)
    poll_options = serializers.ListField(child=serializers.CharField(), required=False)
    poll_multiple = serializers.BooleanField(required=False)
    poll_closes_at = serializers.DateTimeField(required=False)
    event_starts_at = serializers.DateTimeField(required=False)
    event_ends_at = serializers.DateTimeField(required=False)
    event_place = serializers.CharField(required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class CommentInput(serializers.Serializer):
    body_md = serializers.CharField()
    parent = serializers.IntegerField(required=False)


def _input(name, **fields):
    return inline_serializer(name, fields)


def _paged(item, name):
    return inline_serializer(name, {"results": item(many=True), "next": serializers.URLField(allow_null=True)})


# --- Helpers ------------------------------------------------------------------------------


def _next_url(request, cursor):
    if not cursor:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _page_size(request):
    try:
        return max(1, min(100, int(request.query_params.get("page_size", settings.RSE_PAGE_SIZE))))
    except ValueError:
        return settings.RSE_PAGE_SIZE


def _post_page(request, qs, ordering=("-created_at", "-id")):
    page = paginate(qs, ordering=ordering, cursor=request.query_params.get("cursor"), size=_page_size(request))
    annotate_posts_for_viewer(request.user, page.items)
    data = PostSerializer(page.items, many=True, context={"request": request}).data
    return Response({"results": data, "next": _next_url(request, page.next_cursor)})


def _one_post(request, post_id, code=status.HTTP_200_OK):
    selectors.access_post_by_id(request.user, post_id)
    post = selectors.with_feed_related(Post.objects.filter(pk=post_id)).get()
    annotate_posts_for_viewer(request.user, [post])
    return Response(PostSerializer(post, context={"request": request}).data, status=code)


def _community_data(request, community):
    community.viewer_membership = perms.get_membership(request.user, community)
    return CommunitySerializer(community, context={"request": request}).data


def _datetime(value, field):
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValidationError({field: _("Use an ISO 8601 date and time.")})
    return parsed


def _text(data, key, default=""):
    """A text field from JSON or a form: None becomes the default, anything not text is a 400."""
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool | int | float):
        return str(value)
    if not isinstance(value, str):
        raise ValidationError({key: _("Expected text.")})
    return value


def _list(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", "\n").splitlines() if v.strip()]
    return list(value)


def _files(request):
    return request.FILES.getlist("files") if hasattr(request.FILES, "getlist") else []


# --- Communities and memberships ---------------------------------------------------------------

COMMUNITY_ORDERINGS = {"active": ("-last_activity_at", "-id"), "suggested": ("-members_count", "id")}


@extend_schema(methods=["GET"], responses=_paged(CommunitySerializer, "CommunityPage"), operation_id="communities_list")
@extend_schema(methods=["POST"], request=CommunityInput, responses={201: CommunitySerializer})
@api_view(["GET", "POST"])
def communities(request):
    if request.method == "POST":
        d = request.data
        community = services.do_create_community(
            request.user, name=_text(d, "name"), description_md=_text(d, "description_md"),
            visibility=_text(d, "visibility", "open"), tags=_list(d.get("tags")), cover=request.FILES.get("cover"),
            template=_text(d, "template") or None,
        )  # fmt: skip
        return Response(_community_data(request, community), status=status.HTTP_201_CREATED)
    scope = request.query_params.get("scope", "all")
    qs = selectors.list_communities(request.user, q=request.query_params.get("q", "")[:100], scope=scope)
    page = paginate(
        qs, ordering=COMMUNITY_ORDERINGS.get(scope, ("name", "id")), cursor=request.query_params.get("cursor"),
        size=_page_size(request),
    )  # fmt: skip
    mine = {m.community_id: m for m in Membership.objects.filter(user=request.user, community__in=page.items)}
    for community in page.items:
        community.viewer_membership = mine.get(community.pk)
    data = CommunitySerializer(page.items, many=True, context={"request": request}).data
    return Response({"results": data, "next": _next_url(request, page.next_cursor)})


@extend_schema(request=CommunityInput, responses=CommunitySerializer)
@api_view(["GET", "PATCH"])
def community_detail(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    if request.method == "PATCH":
        d = request.data
        services.do_update_community(
            request.user, community, name=_text(d, "name", None), description_md=_text(d, "description_md", None),
            visibility=_text(d, "visibility", None), tags=_list(d["tags"]) if "tags" in d else None,
            cover=request.FILES.get("cover"),
        )  # fmt: skip
    return Response(_community_data(request, community))


@extend_schema(
    request=None,
    responses=_input("JoinResult", role=serializers.CharField(), status=serializers.CharField()),
    description="Join an open community, or ask to join a restricted/private one (pending), or accept an invitation.",
)
@api_view(["POST"])
def community_join(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    membership = services.do_join_community(request.user, community)
    return Response({"role": membership.role, "status": membership.status}, status=status.HTTP_200_OK)


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
def community_leave(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    services.do_leave_community(request.user, community)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    request=None, responses=_input("InvitationResult", role=serializers.CharField(), status=serializers.CharField())
)
@api_view(["POST"])
def community_invitation(request, slug, action):
    if action not in ("accept", "decline"):
        raise Http404
    community = selectors.access_community_by_slug(request.user, slug)
    if action == "accept":
        membership = services.do_accept_invitation(request.user, community)
        return Response({"role": membership.role, "status": membership.status})
    services.do_decline_invitation(request.user, community)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    request=_input(
        "InviteInput", user_id=serializers.IntegerField(required=False), email=serializers.EmailField(required=False)
    ),
    responses={201: MembershipSerializer},
)
@api_view(["POST"])
def community_invite(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    user_id, email = request.data.get("user_id"), request.data.get("email")
    invitee = None
    if user_id:
        invitee = User.objects.filter(pk=user_id, is_active=True).first() if str(user_id).isdigit() else None
    elif email:
        invitee = User.objects.filter(email__iexact=email, is_active=True).first()
    if invitee is None:
        return Response({"detail": _("Nobody with this id or e-mail works here.")}, status=status.HTTP_400_BAD_REQUEST)
    membership = services.do_invite_member(request.user, community, invitee)
    return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=_paged(MembershipSerializer, "MembershipPage"))
@api_view(["GET"])
def community_members(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    membership = perms.get_membership(request.user, community)
    if not perms.can_read_community(request.user, community, membership):
        raise PermissionDenied(_("Only members see who is in this community."))
    wanted = request.query_params.get("status", Membership.Status.ACTIVE)
    if wanted not in Membership.Status.values:
        raise ValidationError({"status": _("Use active, pending or invited.")})
    if wanted != Membership.Status.ACTIVE and not perms.can_moderate(request.user, community, membership):
        raise PermissionDenied(_("Only animators see requests and invitations."))
    qs = Membership.objects.filter(community=community, status=wanted).select_related("user")
    page = paginate(qs, ordering=("id",), cursor=request.query_params.get("cursor"), size=_page_size(request))
    return Response(
        {"results": MembershipSerializer(page.items, many=True).data, "next": _next_url(request, page.next_cursor)}
    )


@extend_schema(
    request=_input("RoleInput", role=serializers.ChoiceField(choices=Membership.Role.choices, required=False)),
    responses=MembershipSerializer,
    description="action: approve, reject, remove, role.",
)
@api_view(["POST"])
def membership_action(request, pk, action):
    membership = get_object_or_404(Membership.objects.select_related("community"), pk=pk)
    selectors.access_community_by_slug(request.user, membership.community.slug)
    if action == "approve":
        membership = services.do_approve_membership(request.user, membership)
    elif action == "reject":
        services.do_reject_membership(request.user, membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
    elif action == "remove":
        services.do_remove_member(request.user, membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
    elif action == "role":
        membership = services.do_set_member_role(request.user, membership, request.data.get("role", ""))
    else:
        return Response({"detail": _("Unknown action.")}, status=status.HTTP_404_NOT_FOUND)
    return Response(MembershipSerializer(membership).data)


# --- Posts --------------------------------------------------------------------------------------


@extend_schema(methods=["GET"], responses=_paged(PostSerializer, "PostPage"))
@extend_schema(methods=["POST"], request=PostInput, responses={201: PostSerializer})
@api_view(["GET", "POST"])
def community_posts(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    if request.method == "POST":
        d = request.data
        post = services.do_create_post(
            request.user, community,
            kind=_text(d, "kind", Post.Kind.DISCUSSION), title=_text(d, "title"), body_md=_text(d, "body_md"),
            requires_ack=str(d.get("requires_ack", "")).lower() in ("1", "true", "yes", "on"),
            poll_options=d.getlist("poll_options") if hasattr(d, "getlist") else _list(d.get("poll_options")),
            poll_multiple=str(d.get("poll_multiple", "")).lower() in ("1", "true", "yes", "on"),
            poll_closes_at=_datetime(d.get("poll_closes_at"), "poll_closes_at"),
            event_starts_at=_datetime(d.get("event_starts_at"), "event_starts_at"),
            event_ends_at=_datetime(d.get("event_ends_at"), "event_ends_at"),
            event_place=_text(d, "event_place"), files=_files(request),
        )  # fmt: skip
        return _one_post(request, post.pk, code=status.HTTP_201_CREATED)
    if not perms.can_read_community(request.user, community):
        raise PermissionDenied(_("Only members read this community."))
    order = request.query_params.get("order", "newest")
    qs = selectors.community_feed(
        request.user, community, kind=request.query_params.get("kind"),
        unanswered=request.query_params.get("unanswered") in ("1", "true"),
    )  # fmt: skip
    return _post_page(request, qs, selectors.feed_ordering(order))


@extend_schema(
    request=_input(
        "PostEdit", title=serializers.CharField(required=False), body_md=serializers.CharField(required=False)
    ),
    responses=PostSerializer,
)
@api_view(["GET", "PATCH", "DELETE"])
def post_detail(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    if request.method == "PATCH":
        fixed = sorted(set(request.data) - {"title", "body_md"})
        if fixed:  # say so rather than answer 200 having ignored them
            raise ValidationError({name: [_("Only the title and the text of a post can be edited.")] for name in fixed})
        services.do_edit_post(
            request.user, post, title=_text(request.data, "title", None), body_md=_text(request.data, "body_md", None)
        )
    elif request.method == "DELETE":
        services.do_delete_post(request.user, post)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return _one_post(request, pk)


def _post_action(request, pk, fn, code=status.HTTP_200_OK):
    post = selectors.access_post_by_id(request.user, pk)
    fn(post)
    return _one_post(request, pk, code=code)


@extend_schema(
    request=_input("ReactionInput", kind=serializers.ChoiceField(choices=Reaction.Kind.choices)),
    responses=PostSerializer,
)
@api_view(["POST"])
def post_react(request, pk):
    return _post_action(request, pk, lambda p: services.do_react(request.user, request.data.get("kind", ""), post=p))


@extend_schema(
    request=_input("VoteInput", options=serializers.ListField(child=serializers.IntegerField())),
    responses=PostSerializer,
)
@api_view(["POST"])
def post_vote(request, pk):
    options = request.data.get("options")
    if hasattr(request.data, "getlist") and not isinstance(options, list):
        options = request.data.getlist("options")
    return _post_action(request, pk, lambda p: services.do_vote(request.user, p, options or []))


@extend_schema(
    request=_input("RsvpInput", answer=serializers.ChoiceField(choices=["yes", "maybe", "no"])),
    responses=PostSerializer,
)
@api_view(["POST"])
def post_rsvp(request, pk):
    return _post_action(request, pk, lambda p: services.do_rsvp(request.user, p, request.data.get("answer", "")))


@extend_schema(request=None, responses=PostSerializer)
@api_view(["POST"])
def post_acknowledge(request, pk):
    return _post_action(request, pk, lambda p: services.do_acknowledge(request.user, p))


@extend_schema(request=None, responses=PostSerializer)
@api_view(["POST"])
def post_bookmark(request, pk):
    return _post_action(request, pk, lambda p: services.do_toggle_bookmark(request.user, p))


def _flag(request, name) -> bool:
    """A boolean switch in the body, on unless it says otherwise ("false", "0", "no")."""
    return str(request.data.get(name, "true")).lower() not in ("0", "false", "no")


@extend_schema(request=_input("PinInput", pinned=serializers.BooleanField(required=False)), responses=PostSerializer)
@api_view(["POST"])
def post_pin(request, pk):
    pinned = _flag(request, "pinned")
    return _post_action(request, pk, lambda p: services.do_pin_post(request.user, p, pinned=pinned))


@extend_schema(
    request=_input("HighlightInput", highlighted=serializers.BooleanField(required=False)), responses=PostSerializer
)
@api_view(["POST"])
def post_highlight(request, pk):
    on = _flag(request, "highlighted")
    return _post_action(request, pk, lambda p: services.do_highlight_post(request.user, p, highlighted=on))


@extend_schema(
    request=_input("AcceptInput", comment=serializers.IntegerField(allow_null=True)), responses=PostSerializer
)
@api_view(["POST"])
def post_accept(request, pk):
    def accept(post):
        comment_id = request.data.get("comment")
        comment = None
        if comment_id not in (None, ""):
            comment = (
                Comment.objects.alive().filter(pk=comment_id, post=post).first() if str(comment_id).isdigit() else None
            )
            if comment is None:
                raise ValidationError({"comment": _("This answer does not belong to the question.")})
        services.do_accept_answer(request.user, post, comment)

    return _post_action(request, pk, accept)


@extend_schema(
    request=_input("ShareInput", community=serializers.CharField(), body_md=serializers.CharField(required=False)),
    responses={201: PostSerializer},
)
@api_view(["POST"])
def post_share(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    slug = _text(request.data, "community").strip()
    if not slug:
        raise ValidationError({"community": _("Give the slug of the community to share into.")})
    try:
        target = selectors.access_community_by_slug(request.user, slug)
    except Http404 as exc:  # the post exists: it is the target that is wrong
        raise ValidationError({"community": _("No community “%(slug)s” that you can see.") % {"slug": slug}}) from exc
    shared = services.do_share_post(request.user, post, target, body_md=_text(request.data, "body_md"))
    return _one_post(request, shared.pk, code=status.HTTP_201_CREATED)


# --- Comments -----------------------------------------------------------------------------------


def _comment_data(request, comments):
    mine = dict(Reaction.objects.filter(user=request.user, comment__in=comments).values_list("comment_id", "kind"))
    for comment in comments:
        comment.my_reaction = mine.get(comment.pk)
    return CommentSerializer(comments, many=True, context={"request": request}).data


@extend_schema(methods=["GET"], responses=_paged(CommentSerializer, "CommentPage"))
@extend_schema(methods=["POST"], request=CommentInput, responses={201: CommentSerializer})
@api_view(["GET", "POST"])
def post_comments(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    if request.method == "POST":
        parent = None
        if request.data.get("parent"):
            parent = (
                Comment.objects.filter(pk=request.data["parent"], post=post).first()
                if str(request.data["parent"]).isdigit()
                else None
            )
            if parent is None:
                raise ValidationError({"parent": _("You can only reply to a comment of this post.")})
        comment = services.do_create_comment(
            request.user, post, body_md=_text(request.data, "body_md"), parent=parent, files=_files(request)
        )
        return Response(_comment_data(request, [comment])[0], status=status.HTTP_201_CREATED)
    moderator = perms.can_moderate(request.user, post.community)
    qs = Comment.objects.filter(post=post).select_related("author")
    if not moderator:
        qs = qs.filter(deleted_at__isnull=True)
    page = paginate(
        qs, ordering=("created_at", "id"), cursor=request.query_params.get("cursor"), size=_page_size(request)
    )
    return Response({"results": _comment_data(request, page.items), "next": _next_url(request, page.next_cursor)})


@extend_schema(request=CommentInput, responses=CommentSerializer)
@api_view(["PATCH", "DELETE"])
def comment_detail(request, pk):
    comment = selectors.access_comment_by_id(request.user, pk)
    if request.method == "DELETE":
        services.do_delete_comment(request.user, comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
    comment = services.do_edit_comment(request.user, comment, body_md=_text(request.data, "body_md"))
    return Response(_comment_data(request, [comment])[0])


@extend_schema(
    request=_input("CommentReactionInput", kind=serializers.ChoiceField(choices=Reaction.Kind.choices)),
    responses=CommentSerializer,
)
@api_view(["POST"])
def comment_react(request, pk):
    comment = selectors.access_comment_by_id(request.user, pk)
    services.do_react(request.user, request.data.get("kind", ""), comment=comment)
    comment.refresh_from_db()
    return Response(_comment_data(request, [comment])[0])


# --- Feeds and search -----------------------------------------------------------------------------

FEEDS = {
    "home": selectors.home_feed,
    "essentials": selectors.essentials_feed,
    "questions": selectors.unanswered_questions,
    "bookmarks": selectors.bookmarked_posts,
}


@extend_schema(
    responses=_paged(PostSerializer, "FeedPage"), description="name: home, essentials, questions, bookmarks."
)
@api_view(["GET"])
def feed(request, name):
    if name not in FEEDS:
        return Response({"detail": _("Unknown feed.")}, status=status.HTTP_404_NOT_FOUND)
    order = request.query_params.get("order", "newest") if name == "home" else "newest"
    return _post_page(request, FEEDS[name](request.user), selectors.feed_ordering(order))


@extend_schema(responses=_input("SearchResults", q=serializers.CharField(), results=serializers.DictField()))
@api_view(["GET"])
def search_view(request):
    q = request.query_params.get("q", "").strip()[:200]
    kind = request.query_params.get("type") or None
    if kind and kind not in TYPES:
        raise ValidationError({"type": _("Use one of: %(types)s.") % {"types": ", ".join(TYPES)}})
    if not q:
        raise ValidationError({"q": _("Type something to search for.")})
    results = search(request.user, q, type=kind)
    out = {}
    for section, hits in results.items():
        out[section] = [
            {"id": h.obj.pk, "title": h.title, "snippet": str(h.snippet), "rank": h.rank, **_search_extra(section, h)}
            for h in hits
        ]
    return Response({"q": q, "results": out})


def _search_extra(section, hit):
    obj = hit.obj
    if section == "posts":
        return {"community": obj.community.slug, "kind": obj.kind}
    if section == "comments":
        return {"post_id": obj.post_id, "community": obj.post.community.slug}
    if section == "communities":
        return {"slug": obj.slug, "visibility": obj.visibility}
    if section == "people":
        return {"email": obj.email, "mobile": obj.visible_mobile or None}
    return {"slug": obj.slug, "url": hit.url}
