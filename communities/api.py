"""REST API (DRF), thin: the same selectors, permissions and services as the pages.

Lists are keyset-paginated with rse.lib.cursor (`{"results": [...], "next": url|null}`);
errors come back as 4xx with a reason (rse.lib.api.exception_handler)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
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
from rse.lib.api import OptionalDateTimeField, StrictCharField, TextListField, text_field, validated
from rse.lib.cursor import paginate
from rse.lib.ratelimit import throttle_scope

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
    archived_at = serializers.DateTimeField(allow_null=True)  # archived: read-only, unlisted
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
    edited_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField()
    pinned = serializers.SerializerMethodField()
    highlighted = serializers.SerializerMethodField()
    locked = serializers.SerializerMethodField()
    pending_review = serializers.SerializerMethodField()
    comments_count = serializers.IntegerField()
    reactions_count = serializers.IntegerField()
    accepted_comment_id = serializers.IntegerField(allow_null=True)
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

    def get_locked(self, obj) -> bool:
        return obj.locked_at is not None  # a locked (or archived) conversation takes no comment

    def get_pending_review(self, obj) -> bool:
        return obj.hidden_at is not None  # only its author, as it is created, ever gets it so

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
    parent_id = serializers.IntegerField(allow_null=True)
    author = AuthorSerializer()
    body_md = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    reactions_count = serializers.IntegerField()
    my_reaction = serializers.CharField(allow_null=True, default=None)

    def get_deleted(self, obj) -> bool:
        return obj.deleted_at is not None or obj.hidden_at is not None  # hidden by moderation: gone for readers

    def get_body_md(self, obj) -> str | None:
        return _source_for_editor(self.context["request"].user, obj)

    def get_body_html(self, obj) -> str:
        return "" if obj.deleted_at or obj.hidden_at else obj.body_html


# --- Input (validated here: types, lengths, dates, NUL; the services decide the rest) ----------

BIG_ID = {"min_value": 1, "max_value": 2**63 - 1}


class CommunityInput(serializers.Serializer):
    name = serializers.CharField(max_length=120, trim_whitespace=False)
    description_md = text_field()
    visibility = serializers.ChoiceField(
        choices=Community.Visibility.choices, required=False,
        error_messages={"invalid_choice": _lazy("Choose open, restricted, private or secret.")},
    )  # fmt: skip
    tags = TextListField(separators=",;\n", max_item_length=60, required=False, allow_null=True)
    cover = serializers.FileField(required=False, allow_null=True)
    template = serializers.IntegerField(
        required=False, allow_null=True, help_text="id of a community template (creation only)", **BIG_ID
    )


class PostInput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Post.Kind.choices, default=Post.Kind.DISCUSSION,
        error_messages={"invalid_choice": _lazy("Unknown type of post.")},
    )  # fmt: skip
    title = text_field(max_length=200)
    body_md = text_field()
    requires_ack = serializers.BooleanField(required=False, default=False)
    poll_options = TextListField(required=False, allow_null=True)
    poll_multiple = serializers.BooleanField(required=False, default=False)
    poll_closes_at = OptionalDateTimeField()
    event_starts_at = OptionalDateTimeField()
    event_ends_at = OptionalDateTimeField()
    event_place = text_field(max_length=200)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class PostEdit(serializers.Serializer):
    title = text_field(max_length=200)
    body_md = text_field()

    def validate(self, attrs):
        fixed = sorted(set(self.initial_data) - set(self.fields))
        if fixed:  # say so rather than answer 200 having ignored them
            raise serializers.ValidationError(
                {name: [_("Only the title and the text of a post can be edited.")] for name in fixed}
            )
        return attrs


class CommentInput(serializers.Serializer):
    body_md = text_field()
    parent = serializers.IntegerField(required=False, allow_null=True, **BIG_ID)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class InviteInput(serializers.Serializer):
    user_id = serializers.IntegerField(required=False, allow_null=True, **BIG_ID)
    email = StrictCharField(required=False, allow_blank=True, allow_null=True, max_length=254)


class ShareInput(serializers.Serializer):
    community = serializers.CharField(max_length=200, help_text="slug of the community to share into")
    body_md = text_field()


class KindInput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Reaction.Kind.choices, error_messages={"invalid_choice": _lazy("Unknown reaction.")}
    )


class VoteInput(serializers.Serializer):
    options = serializers.ListField(child=serializers.IntegerField(**BIG_ID), max_length=100, default=list)


class RsvpInput(serializers.Serializer):
    answer = serializers.ChoiceField(
        choices=["yes", "maybe", "no"], error_messages={"invalid_choice": _lazy("Answer yes, maybe or no.")}
    )


class RoleInput(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=Membership.Role.choices, required=False, default="",
        error_messages={"invalid_choice": _lazy("Unknown role.")},
    )  # fmt: skip


class PinInput(serializers.Serializer):
    pinned = serializers.BooleanField(required=False, default=True)


class HighlightInput(serializers.Serializer):
    highlighted = serializers.BooleanField(required=False, default=True)


class AcceptInput(serializers.Serializer):
    comment = serializers.IntegerField(allow_null=True, required=False, **BIG_ID)


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


# --- Communities and memberships ---------------------------------------------------------------

COMMUNITY_ORDERINGS = {"active": ("-last_activity_at", "-id"), "suggested": ("-members_count", "id")}


@extend_schema(methods=["GET"], responses=_paged(CommunitySerializer, "CommunityPage"), operation_id="communities_list")
@extend_schema(methods=["POST"], request=CommunityInput, responses={201: CommunitySerializer})
@api_view(["GET", "POST"])
def communities(request):
    if request.method == "POST":
        d = validated(CommunityInput, request.data)
        community = services.do_create_community(
            request.user, name=d["name"], description_md=d.get("description_md") or "",
            visibility=d.get("visibility", Community.Visibility.OPEN), tags=d.get("tags") or [],
            cover=d.get("cover"), template=d.get("template"),
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
        d = validated(CommunityInput, request.data, partial=True)
        services.do_update_community(
            request.user, community, name=d.get("name"), description_md=d.get("description_md"),
            visibility=d.get("visibility"), tags=(d["tags"] or []) if "tags" in d else None, cover=d.get("cover"),
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


@extend_schema(request=InviteInput, responses={201: MembershipSerializer})
@throttle_scope("invite")
@api_view(["POST"])
def community_invite(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    d = validated(InviteInput, request.data)
    user_id, email = d.get("user_id"), d.get("email")
    invitee = None
    if user_id:
        invitee = User.objects.filter(pk=user_id, is_active=True).first()
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
    request=RoleInput,
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
        membership = services.do_set_member_role(request.user, membership, validated(RoleInput, request.data)["role"])
    else:
        return Response({"detail": _("Unknown action.")}, status=status.HTTP_404_NOT_FOUND)
    return Response(MembershipSerializer(membership).data)


# --- Posts --------------------------------------------------------------------------------------


@extend_schema(methods=["GET"], responses=_paged(PostSerializer, "PostPage"))
@extend_schema(methods=["POST"], request=PostInput, responses={201: PostSerializer})
@throttle_scope("post")
@api_view(["GET", "POST"])
def community_posts(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    if request.method == "POST":
        d = validated(PostInput, request.data)
        post = services.do_create_post(
            request.user, community,
            kind=d["kind"], title=d.get("title") or "", body_md=d.get("body_md") or "",
            requires_ack=d["requires_ack"], poll_options=d.get("poll_options") or [], poll_multiple=d["poll_multiple"],
            poll_closes_at=d.get("poll_closes_at"), event_starts_at=d.get("event_starts_at"),
            event_ends_at=d.get("event_ends_at"), event_place=d.get("event_place") or "", files=d.get("files", []),
        )  # fmt: skip
        if post.hidden_at:  # held for the animators' review: its author gets it this once, flagged so
            post = selectors.with_feed_related(Post.objects.filter(pk=post.pk)).get()
            annotate_posts_for_viewer(request.user, [post])
            return Response(PostSerializer(post, context={"request": request}).data, status=status.HTTP_201_CREATED)
        return _one_post(request, post.pk, code=status.HTTP_201_CREATED)
    if not perms.can_read_community(request.user, community):
        raise PermissionDenied(_("Only members read this community."))
    order = request.query_params.get("order", "newest")
    qs = selectors.community_feed(
        request.user, community, kind=request.query_params.get("kind"),
        unanswered=request.query_params.get("unanswered") in ("1", "true"),
    )  # fmt: skip
    return _post_page(request, qs, selectors.feed_ordering(order))


@extend_schema(request=PostEdit, responses=PostSerializer)
@api_view(["GET", "PATCH", "DELETE"])
def post_detail(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    if request.method == "PATCH":
        d = validated(PostEdit, request.data)
        services.do_edit_post(request.user, post, title=d.get("title"), body_md=d.get("body_md"))
    elif request.method == "DELETE":
        services.do_delete_post(request.user, post)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return _one_post(request, pk)


def _post_action(request, pk, fn, code=status.HTTP_200_OK):
    post = selectors.access_post_by_id(request.user, pk)
    fn(post)
    return _one_post(request, pk, code=code)


@extend_schema(request=KindInput, responses=PostSerializer)
@throttle_scope("reaction")
@api_view(["POST"])
def post_react(request, pk):
    kind = validated(KindInput, request.data)["kind"]
    return _post_action(request, pk, lambda p: services.do_react(request.user, kind, post=p))


@extend_schema(request=VoteInput, responses=PostSerializer)
@api_view(["POST"])
def post_vote(request, pk):
    options = validated(VoteInput, request.data)["options"]
    return _post_action(request, pk, lambda p: services.do_vote(request.user, p, options))


@extend_schema(request=RsvpInput, responses=PostSerializer)
@api_view(["POST"])
def post_rsvp(request, pk):
    answer = validated(RsvpInput, request.data)["answer"]
    return _post_action(request, pk, lambda p: services.do_rsvp(request.user, p, answer))


@extend_schema(request=None, responses=PostSerializer)
@api_view(["POST"])
def post_acknowledge(request, pk):
    return _post_action(request, pk, lambda p: services.do_acknowledge(request.user, p))


@extend_schema(request=None, responses=PostSerializer)
@api_view(["POST"])
def post_bookmark(request, pk):
    return _post_action(request, pk, lambda p: services.do_toggle_bookmark(request.user, p))


@extend_schema(request=PinInput, responses=PostSerializer)
@api_view(["POST"])
def post_pin(request, pk):
    pinned = validated(PinInput, request.data)["pinned"]
    return _post_action(request, pk, lambda p: services.do_pin_post(request.user, p, pinned=pinned))


@extend_schema(request=HighlightInput, responses=PostSerializer)
@api_view(["POST"])
def post_highlight(request, pk):
    on = validated(HighlightInput, request.data)["highlighted"]
    return _post_action(request, pk, lambda p: services.do_highlight_post(request.user, p, highlighted=on))


@extend_schema(request=AcceptInput, responses=PostSerializer)
@api_view(["POST"])
def post_accept(request, pk):
    comment_id = validated(AcceptInput, request.data).get("comment")

    def accept(post):
        comment = None
        if comment_id is not None:
            comment = Comment.objects.alive().filter(pk=comment_id, post=post).first()
            if comment is None:
                raise ValidationError({"comment": _("This answer does not belong to the question.")})
        services.do_accept_answer(request.user, post, comment)

    return _post_action(request, pk, accept)


@extend_schema(request=ShareInput, responses={201: PostSerializer})
@throttle_scope("post")
@api_view(["POST"])
def post_share(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    d = validated(ShareInput, request.data)
    slug = d["community"].strip()
    try:
        target = selectors.access_community_by_slug(request.user, slug)
    except Http404 as exc:  # the post exists: it is the target that is wrong
        raise ValidationError({"community": _("No community “%(slug)s” that you can see.") % {"slug": slug}}) from exc
    shared = services.do_share_post(request.user, post, target, body_md=d.get("body_md") or "")
    return _one_post(request, shared.pk, code=status.HTTP_201_CREATED)


# --- Comments -----------------------------------------------------------------------------------


def _comment_data(request, comments):
    mine = dict(Reaction.objects.filter(user=request.user, comment__in=comments).values_list("comment_id", "kind"))
    for comment in comments:
        comment.my_reaction = mine.get(comment.pk)
    return CommentSerializer(comments, many=True, context={"request": request}).data


@extend_schema(methods=["GET"], responses=_paged(CommentSerializer, "CommentPage"))
@extend_schema(methods=["POST"], request=CommentInput, responses={201: CommentSerializer})
@throttle_scope("comment")
@api_view(["GET", "POST"])
def post_comments(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    if request.method == "POST":
        d = validated(CommentInput, request.data)
        parent = None
        if d.get("parent"):
            parent = Comment.objects.filter(pk=d["parent"], post=post).first()
            if parent is None:
                raise ValidationError({"parent": _("You can only reply to a comment of this post.")})
        comment = services.do_create_comment(
            request.user, post, body_md=d.get("body_md") or "", parent=parent, files=d.get("files", [])
        )
        return Response(_comment_data(request, [comment])[0], status=status.HTTP_201_CREATED)
    moderator = perms.can_moderate(request.user, post.community)
    qs = Comment.objects.filter(post=post).select_related("author")
    if not moderator:
        qs = qs.filter(deleted_at__isnull=True, hidden_at__isnull=True)
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
    body_md = validated(CommentInput, request.data, partial=True).get("body_md") or ""
    comment = services.do_edit_comment(request.user, comment, body_md=body_md)
    return Response(_comment_data(request, [comment])[0])


@extend_schema(request=KindInput, responses=CommentSerializer)
@throttle_scope("reaction")
@api_view(["POST"])
def comment_react(request, pk):
    comment = selectors.access_comment_by_id(request.user, pk)
    services.do_react(request.user, validated(KindInput, request.data)["kind"], comment=comment)
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
