"""HTML pages and htmx fragments. Thin: parse, call one selector or service, render.

htmx requests for a list get only the next page (`partials/feed_page.html`), whose last
element asks for the following one when revealed (infinite scroll). Actions on a post
answer with the re-rendered card, swapped in place."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communities import hooks, selectors, services
from communities import permissions as perms
from communities.cards import attach_cards
from communities.forms import (
    CommentEditForm,
    CommentForm,
    CommunityForm,
    InviteForm,
    PostEditForm,
    PostForm,
    ShareForm,
)  # fmt: skip
from communities.models import Attachment, Comment, Membership, Post, Reaction
from communities.prefetch import annotate_posts_for_viewer, set_comment_permissions, set_post_permissions
from communities.search import PER_TYPE_WHEN_ALL, TYPES, search
from communities.tabs import tabs_for
from communities.text import mention_handle, process
from rse.accounts.models import User
from rse.lib.cursor import InvalidCursor, page_of, paginate, total_ordering
from rse.lib.files import file_response
from rse.lib.http import resolve_user, safe_next
from rse.lib.ratelimit import limit_rate


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _error_text(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You are not allowed to do that.")


def _apply_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _feed(
    request,
    qs,
    template,
    context,
    *,
    ordering=("-created_at", "-id"),
    extra_posts=(),
    memberships=None,
    community=None,
    first_page=None,
):
    """One page of posts with per-viewer flags; the next page for htmx infinite scroll.
    `community`: the feed is this community's (its posts need not join it). `first_page(ordering=,
    limit=)`: the first rows of `qs` as for_cards selects them, from a precompiled statement (the
    first page is what nearly every request asks for); `qs` may then be a function that builds
    the queryset, called only for the next pages."""
    resolve_user(request)
    cursor = request.GET.get("cursor")
    size = settings.RSE_PAGE_SIZE
    try:
        if first_page is not None and not cursor:
            ordering = total_ordering(ordering)
            page = page_of(first_page(ordering=ordering, limit=size + 1), ordering=ordering, size=size)
        else:
            qs = qs() if callable(qs) else qs
            page = paginate(selectors.for_cards(qs, community=community), ordering=ordering, cursor=cursor, size=size)
    except InvalidCursor:
        return HttpResponseBadRequest(_("This link to a page of results is broken."))
    posts = [*extra_posts, *page.items]
    selectors.prefetch_for_cards(posts, community=community)
    annotate_posts_for_viewer(request.user, posts, memberships=memberships)
    # One masked CSRF token for the cards and the page (the context's csrf_token wins over the
    # context processor's, which would mask another).
    token = get_token(request)
    attach_cards(request, posts, token=token)
    params = request.GET.copy()
    params.pop("cursor", None)
    params.pop("fragment", None)
    # The page's cards, already rendered (attach_cards), as one string: no template loop over them.
    cards_html = mark_safe("".join(post.card_html for post in page.items))  # noqa: S308 - our cards
    context = {
        **context,
        "page": page,
        "cards_html": cards_html,
        "csrf_token": token,
        "query_string": params.urlencode(),
    }
    # fragment=1: the first page alone, for the live "New posts (n)" banner (static/js/realtime.js).
    if _is_htmx(request) and (request.GET.get("cursor") or request.GET.get("fragment")):
        return render(request, "communities/partials/feed_page.html", context)
    return render(request, template, context)


# --- Feeds ----------------------------------------------------------------------------------


def _live_community_ids(user):
    """The communities whose new posts raise the live banner on my feeds (one query)."""
    return " ".join(str(row["community_id"]) for row in selectors.my_community_ids(user))


def _home_context(user, memberships, **context):
    # One query gives the sidebar's "My communities", the groups the live banner listens to and
    # every permission the cards need.
    mine = selectors.my_communities(user, limit=None, memberships=memberships)
    live = " ".join(str(c.pk) for c in mine)
    return {**context, "my_communities": mine[:12], "live_communities": live, "live_home": True}


@login_required
def home(request):
    resolve_user(request)
    order = "active" if request.GET.get("order") == "active" else "newest"  # any other value: newest
    memberships = selectors.my_memberships(request.user, with_communities=True)
    return _feed(
        request,
        functools.partial(selectors.home_feed, request.user, memberships=memberships),
        "communities/home.html",
        _home_context(request.user, memberships, order=order, tab="feed"),
        ordering=selectors.feed_ordering(order),
        memberships=memberships,
        first_page=functools.partial(selectors.home_first_page, request.user, memberships=memberships),
    )


@login_required
def essentials(request):
    return _feed(
        request,
        selectors.essentials_feed(request.user),
        "communities/home.html",
        # Essentials keeps to what matters: only new announcements ring there.
        {
            "tab": "essentials",
            "live_communities": _live_community_ids(request.user),
            "live_kinds": "announcement",
            "live_home": True,
        },
    )


@login_required
def unanswered(request):
    return _feed(request, selectors.unanswered_questions(request.user), "communities/home.html", {"tab": "questions"})


@login_required
def bookmarks(request):
    return _feed(request, selectors.bookmarked_posts(request.user), "communities/home.html", {"tab": "bookmarks"})


@login_required
def tag_detail(request, slug):
    # Every tag has a page, used or not: a 404 for unknown tags told which ones secret communities use.
    slug, name = selectors.tag_for_reader(request.user, slug)
    return _feed(
        request,
        selectors.tag_feed(request.user, slug),
        "communities/tag_detail.html",
        {"tag": {"slug": slug, "name": name}},
    )


@login_required
def item_conversations(request, item_id):
    """htmx fragment for the item page (repository/): every conversation about the item that
    the viewer may read, across communities. Lives here because repository/ cannot import us."""
    try:
        page = paginate(
            selectors.list_item_conversations(request.user, item_id), cursor=request.GET.get("cursor"), size=20
        )
    except InvalidCursor:
        return HttpResponseBadRequest(_("This link to a page of results is broken."))
    return render(request, "communities/item_conversations.html", {"page": page, "item_id": item_id})


# --- Communities ----------------------------------------------------------------------------


@login_required
def community_list(request):
    q = request.GET.get("q", "").strip()[:100]
    scope = request.GET.get("scope", "all")
    qs = selectors.list_communities(request.user, q=q, scope=scope, tag=request.GET.get("tag") or None)
    communities = list(qs[:60])
    mine = {
        m.community_id: m
        for m in Membership.objects.filter(user=request.user, community_id__in=[c.pk for c in communities])
    }
    for community in communities:
        community.viewer_membership = mine.get(community.pk)
        community.can_request = perms.can_request_to_join(request.user, community, community.viewer_membership)
    context = {"communities": communities, "q": q, "scope": scope}
    if _is_htmx(request):
        return render(request, "communities/partials/community_results.html", context)
    return render(request, "communities/community_list.html", context)


@login_required
def community_create(request):
    templates = hooks.starter_choices(request.user)
    initial = {"template": request.GET.get("template", "")}
    form = CommunityForm(request.POST or None, request.FILES or None, templates=templates, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            community = services.do_create_community(
                request.user, name=d["name"], description_md=d["description_md"], visibility=d["visibility"],
                tags=d["tags"], cover=d["cover"], template=d.get("template") or None,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            _apply_errors(form, exc) if isinstance(exc, ValidationError) else form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Community created. Invite people and write the first post!"))
            return redirect("community_detail", community.slug)
    return render(request, "communities/community_form.html", {"form": form})


@login_required
def community_edit(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    if not perms.can_moderate(request.user, community):
        raise PermissionDenied
    initial = {
        "name": community.name,
        "description_md": community.description_md,
        "visibility": community.visibility,
        "tags": ", ".join(t.name for t in community.tags.all()),
    }
    form = CommunityForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.do_update_community(
                request.user, community, name=d["name"], description_md=d["description_md"],
                visibility=d["visibility"], tags=d["tags"], cover=d["cover"],
            )  # fmt: skip
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Community updated."))
            return redirect("community_detail", community.slug)
    return render(request, "communities/community_form.html", {"form": form, "community": community})


def _community_context(request, community, memberships=None):
    if memberships is None:
        membership = perms.get_membership(request.user, community)
    else:
        membership = memberships.get(community.pk)
    return {
        "community": community,
        "membership": membership,
        "can_read": perms.can_read_community(request.user, community, membership),
        "can_post": perms.can_post(request.user, community, membership),
        "can_announce": perms.can_announce(request.user, community, membership),
        "can_moderate": perms.can_moderate(request.user, community, membership),
        "can_request": perms.can_request_to_join(request.user, community, membership),
        "tags": selectors.community_tags(community),
        "extra_tabs": tabs_for(request.user, community, membership),
    }


@login_required
def community_detail(request, slug):
    resolve_user(request)
    try:
        community = selectors.access_community_by_slug(request.user, slug)
    except Http404:
        merged = selectors.merged_community_target(request.user, slug)
        if merged is None:
            raise
        return redirect("community_detail", merged.slug, permanent=True)
    memberships = selectors.my_memberships(request.user, with_mutes=True)
    context = _community_context(request, community, memberships)
    context["community_mute_id"] = getattr(context["membership"], "community_mute_id", None)
    if not context["can_read"]:
        return render(request, "communities/community_detail.html", {**context, "page": None})
    order = "active" if request.GET.get("order") == "active" else "newest"  # any other value: newest
    kind = request.GET.get("kind") or None
    unanswered_only = request.GET.get("unanswered") == "1"
    pinned = []
    if not request.GET.get("cursor") and not kind and not unanswered_only:
        pinned = selectors.pinned_for_cards(request.user, community, membership=context["membership"])
    filters = {"kind": kind, "unanswered": unanswered_only, "membership": context["membership"]}
    return _feed(
        request,
        functools.partial(selectors.community_feed, request.user, community, **filters),
        "communities/community_detail.html",
        {**context, "order": order, "kind": kind, "unanswered": unanswered_only, "pinned": pinned},
        ordering=selectors.feed_ordering(order),
        extra_posts=pinned,
        memberships=memberships,
        community=community,
        first_page=functools.partial(selectors.first_page_of_community, request.user, community, **filters),
    )


@login_required
def community_members(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    context = _community_context(request, community)
    if not context["can_read"]:
        raise Http404
    members = list(selectors.list_members(community)[:500])
    pending = invited = []
    if context["can_moderate"]:
        pending = list(selectors.list_members(community, status=Membership.Status.PENDING))
        invited = list(selectors.list_members(community, status=Membership.Status.INVITED))
    for m in (*members, *invited):
        m.community = community  # the one already loaded: the predicate reads it
        m.can_remove = perms.can_remove_member(request.user, m, context["membership"])
        m.can_change_role = perms.can_change_role_of(request.user, m, context["membership"])
    return render(
        request,
        "communities/community_members.html",
        {**context, "members": members, "pending": pending, "invited": invited, "invite_form": InviteForm(),
         "can_change_roles": perms.can_change_roles(request.user, community, context["membership"]),
         "roles": Membership.Role.choices},
    )  # fmt: skip


def _back(request, community):
    return redirect(safe_next(request, reverse("community_detail", args=[community.slug])))


@login_required
@require_POST
def community_join(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    try:
        membership = services.do_join_community(request.user, community)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        if membership.status == Membership.Status.ACTIVE:
            messages.success(request, _("Welcome to %(name)s!") % {"name": community.name})
        else:
            messages.success(request, _("Request sent: an animator will answer it."))
    return _back(request, community)


@login_required
@require_POST
def community_leave(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    try:
        services.do_leave_community(request.user, community)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("You left %(name)s.") % {"name": community.name})
    if perms.is_readable_by_every_employee(community):
        return _back(request, community)
    return redirect("community_list")


@login_required
@require_POST
def community_invitation(request, slug, action):
    if action not in ("accept", "decline"):
        raise Http404  # /invitation/anything/ must not decline
    community = selectors.access_community_by_slug(request.user, slug)
    try:
        if action == "accept":
            services.do_accept_invitation(request.user, community)
            messages.success(request, _("Welcome to %(name)s!") % {"name": community.name})
        else:
            services.do_decline_invitation(request.user, community)
            messages.success(request, _("Invitation declined."))
            return redirect("community_list")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _back(request, community)


@login_required
@require_POST
@limit_rate("invite")
def community_invite(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        invitee = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if invitee is None:
            messages.error(request, _("Nobody with this e-mail address works here."))
        else:
            try:
                services.do_invite_member(request.user, community, invitee)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("%(name)s is invited.") % {"name": invitee.display_name})
    else:
        messages.error(request, _form_errors(form) or _("Enter a valid e-mail address."))
    return redirect("community_members", community.slug)


@login_required
@require_POST
def membership_action(request, pk, action):
    membership = get_object_or_404(Membership.objects.select_related("community", "user"), pk=pk)
    community = selectors.access_community_by_slug(request.user, membership.community.slug)
    actions = {
        "approve": lambda: services.do_approve_membership(request.user, membership),
        "reject": lambda: services.do_reject_membership(request.user, membership),
        "remove": lambda: services.do_remove_member(request.user, membership),
        "role": lambda: services.do_set_member_role(request.user, membership, request.POST.get("role", "")),
    }
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("community_members", community.slug)


# --- Posts ----------------------------------------------------------------------------------


@login_required
@limit_rate("post")
def post_create(request, slug):
    community = selectors.access_community_by_slug(request.user, slug)
    context = _community_context(request, community)
    if not context["can_post"]:
        messages.error(request, services.cannot_post_reason(request.user, community, context["membership"]))
        return redirect("community_detail", community.slug)
    form = PostForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind", "discussion")}
    )
    if not context["can_announce"]:
        form.fields["kind"].choices = [c for c in Post.Kind.choices if c[0] != Post.Kind.ANNOUNCEMENT]
    if request.method == "POST" and form.is_valid():
        try:
            post = services.do_create_post(request.user, community, **form.service_kwargs())
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, _error_text(exc))
        else:
            if post.hidden_at:  # held by a content guard (a keyword rule): not readable yet
                messages.info(request, _("Your post is waiting for the animators' review before it is published."))
                return redirect("community_detail", community.slug)
            return redirect("post_detail", post.pk)
    return render(request, "communities/post_form.html", {**context, "form": form})


def _load_post(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    post = selectors.with_feed_related(Post.objects.filter(pk=post.pk)).get()
    annotate_posts_for_viewer(request.user, [post])
    return post


def _annotate_comments(user, post, comments):
    mine = dict(
        Reaction.objects.filter(user=user, comment_id__in=[c.pk for c in comments]).values_list("comment_id", "kind")
    )
    by_parent = {}
    for comment in comments:
        comment.my_reaction = mine.get(comment.pk)
        comment.is_accepted = comment.pk == post.accepted_comment_id
        set_comment_permissions(user, post, comment, post.viewer_membership)
        comment.reply_list = []
        comment.is_gone = bool(comment.deleted_at or comment.hidden_at)  # hidden: shown as a tombstone
        by_parent.setdefault(comment.parent_id, []).append(comment)
    top = by_parent.get(None, [])
    for comment in top:
        comment.reply_list = by_parent.get(comment.pk, [])
    visible = []
    for comment in top:
        comment.reply_list = [r for r in comment.reply_list if not r.is_gone or post.can_moderate]
        if not comment.is_gone or post.can_moderate or comment.reply_list:
            visible.append(comment)
    return visible


@login_required
def post_detail(request, pk):
    post = _load_post(request, pk)
    comments = _annotate_comments(request.user, post, selectors.list_comments(request.user, post))
    accepted = next(
        (c for c in comments for c in [c, *c.reply_list] if c.pk == post.accepted_comment_id and not c.deleted_at),
        None,
    )
    return render(
        request,
        "communities/post_detail.html",
        {"post": post, "comments": comments, "accepted": accepted, "comment_form": CommentForm(question=post.kind == Post.Kind.QUESTION),
         "reaction_kinds": Reaction.Kind.choices, "detail": True,
         "live_comment_url": reverse("comment_fragment", args=[0]).replace("/0/", "/{id}/")},
    )  # fmt: skip


@login_required
def post_poll(request, pk):
    """The poll of a post (results included), re-fetched live after someone votes."""
    post = _load_post(request, pk)
    if post.kind != Post.Kind.POLL:
        raise Http404
    return render(request, "communities/partials/poll.html", {"post": post})


@login_required
def comment_fragment(request, pk):
    """One comment (a reply, or a thread head with its replies) as on the post page, for the live
    insertion of new comments. Same door as the page: unreadable or deleted → 404."""
    comment = selectors.access_comment_by_id(request.user, pk)
    if comment.deleted_at or comment.hidden_at:
        raise Http404
    post = comment.post  # loaded with its community by the access check
    post.viewer_membership = perms.get_membership(request.user, post.community)
    set_post_permissions(request.user, post, post.viewer_membership)
    thread = list(
        Comment.objects.filter(Q(pk=comment.pk) | Q(parent_id=comment.pk), post=post)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    _annotate_comments(request.user, post, thread)  # annotates every comment of the thread in place
    shown = next(c for c in thread if c.pk == comment.pk)
    return render(
        request,
        "communities/partials/comment.html",
        {"post": post, "comment": shown, "reply": comment.parent_id is not None},
    )


def _card(request, post_id, *, detail=False):
    post = _load_post(request, post_id)
    return render(request, "communities/partials/post_card.html", {"post": post, "detail": detail})


def _post_action(request, pk, action, *, success=None):
    """Run a service on a post; htmx gets the card back, a plain form post a redirect."""
    post = selectors.access_post_by_id(request.user, pk)
    try:
        action(post)
    except (ValidationError, PermissionDenied) as exc:
        if _is_htmx(request):
            return HttpResponse(_error_text(exc), status=400 if isinstance(exc, ValidationError) else 403)
        messages.error(request, _error_text(exc))
    else:
        if success and not _is_htmx(request):
            messages.success(request, success)
    if _is_htmx(request):
        return _card(request, pk, detail=request.POST.get("detail") == "1")
    return redirect(safe_next(request, reverse("post_detail", args=[pk])))


@login_required
@require_POST
@limit_rate("reaction")
def post_react(request, pk):
    return _post_action(request, pk, lambda p: services.do_react(request.user, request.POST.get("kind", ""), post=p))


@login_required
@require_POST
def post_bookmark(request, pk):
    return _post_action(request, pk, lambda p: services.do_toggle_bookmark(request.user, p))


@login_required
@require_POST
def post_pin(request, pk):
    return _post_action(request, pk, lambda p: services.do_pin_post(request.user, p, pinned=not p.pinned_at))


@login_required
@require_POST
def post_highlight(request, pk):
    return _post_action(
        request, pk, lambda p: services.do_highlight_post(request.user, p, highlighted=not p.highlighted_at)
    )


@login_required
@require_POST
def post_ack(request, pk):
    return _post_action(request, pk, lambda p: services.do_acknowledge(request.user, p))


@login_required
@require_POST
def post_vote(request, pk):
    return _post_action(
        request,
        pk,
        lambda p: services.do_vote(request.user, p, request.POST.getlist("option")),
        success=_("Vote saved."),
    )


@login_required
@require_POST
def post_rsvp(request, pk):
    return _post_action(request, pk, lambda p: services.do_rsvp(request.user, p, request.POST.get("answer", "")))


@login_required
@require_POST
def post_accept(request, pk):
    def accept(post):
        comment_id = request.POST.get("comment", "")
        comment = None
        if comment_id:
            if not comment_id.isdigit():
                raise ValidationError(_("This answer does not belong to the question."))
            comment = get_object_or_404(Comment.objects.alive(), pk=comment_id, post=post)
        services.do_accept_answer(request.user, post, comment)

    return _post_action(request, pk, accept, success=_("Answer accepted. Thank you!"))


@login_required
@require_POST
def post_delete(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    try:
        services.do_delete_post(request.user, post)
    except PermissionDenied as exc:
        messages.error(request, _error_text(exc))
        return redirect("post_detail", pk)
    messages.success(request, _("Post deleted."))
    return redirect("community_detail", post.community.slug)


@login_required
def post_edit(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    if not perms.can_edit_content(request.user, post):
        raise PermissionDenied
    form = PostEditForm(request.POST or None, initial={"title": post.title, "body_md": post.body_md})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_edit_post(
                request.user, post, title=form.cleaned_data["title"], body_md=form.cleaned_data["body_md"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("post_detail", pk)
    return render(request, "communities/post_edit.html", {"form": form, "post": post})


@login_required
def post_history(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    return render(request, "communities/history.html", {"post": post, "revisions": post.revisions.all()[:50]})


@login_required
@limit_rate("post")
def post_share(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    original = post.shared_from if post.shared_from_id else post
    targets = [
        c
        for c in selectors.visible_communities(request.user)
        .filter(pk__in=selectors.my_community_ids(request.user))
        .exclude(pk=original.community_id)
        .order_by("name")
    ]
    form = ShareForm(request.POST or None, communities=targets)
    if request.method == "POST" and form.is_valid():
        target = next(c for c in targets if str(c.pk) == form.cleaned_data["community"])
        try:
            shared = services.do_share_post(request.user, post, target, body_md=form.cleaned_data["body_md"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Shared into %(name)s.") % {"name": target.name})
            return redirect("post_detail", shared.pk)
    return render(request, "communities/post_share.html", {"form": form, "post": post})


# --- Comments -------------------------------------------------------------------------------


def _form_errors(form) -> str:
    """Every reason a form gives, as one line for a message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@login_required
@require_POST
@limit_rate("comment")
def comment_create(request, pk):
    post = selectors.access_post_by_id(request.user, pk)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"], post=post).first()
        try:
            comment = services.do_create_comment(
                request.user,
                post,
                body_md=form.cleaned_data["body_md"],
                parent=parent,
                files=form.cleaned_data["files"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            if comment.hidden_at:
                messages.info(request, _("Your comment is waiting for the animators' review before it is published."))
                return redirect("post_detail", pk)
            return redirect(reverse("post_detail", args=[pk]) + f"#comment-{comment.pk}")
    else:  # the form's own reason (a NUL character, a file too big), not a guess
        messages.error(request, _form_errors(form) or _("Write something first."))
    return redirect("post_detail", pk)


@login_required
def comment_edit(request, pk):
    comment = selectors.access_comment_by_id(request.user, pk)
    if not perms.can_edit_content(request.user, comment):
        raise PermissionDenied
    form = CommentEditForm(request.POST or None, initial={"body_md": comment.body_md})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_edit_comment(request.user, comment, body_md=form.cleaned_data["body_md"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect(reverse("post_detail", args=[comment.post_id]) + f"#comment-{comment.pk}")
    return render(request, "communities/comment_edit.html", {"form": form, "comment": comment})


@login_required
@require_POST
def comment_delete(request, pk):
    comment = selectors.access_comment_by_id(request.user, pk)
    try:
        services.do_delete_comment(request.user, comment)
    except PermissionDenied as exc:
        messages.error(request, _error_text(exc))
    return redirect("post_detail", comment.post_id)


@login_required
@require_POST
@limit_rate("reaction")
def comment_react(request, pk):
    comment = selectors.access_comment_by_id(request.user, pk)
    try:
        services.do_react(request.user, request.POST.get("kind", ""), comment=comment)
    except (ValidationError, PermissionDenied) as exc:
        if _is_htmx(request):
            return HttpResponse(_error_text(exc), status=400)
        messages.error(request, _error_text(exc))
    if _is_htmx(request):
        comment.refresh_from_db(fields=["reactions_count"])
        comment.my_reaction = (
            Reaction.objects.filter(user=request.user, comment=comment).values_list("kind", flat=True).first()
        )
        return render(
            request, "communities/partials/reactions.html",
            {"target": comment, "url": reverse("comment_react", args=[comment.pk]), "can_react": True, "comment": True},
        )  # fmt: skip
    return redirect(reverse("post_detail", args=[comment.post_id]) + f"#comment-{comment.pk}")


@login_required
def comment_history(request, pk):
    comment = selectors.access_comment_by_id(request.user, pk)
    if comment.deleted_at and not perms.can_moderate(request.user, comment.post.community):
        raise Http404  # a deleted comment's words are for animators only, here as on the post page
    return render(request, "communities/history.html", {"comment": comment, "revisions": comment.revisions.all()[:50]})


# --- Attachments, preview, autocomplete, search ---------------------------------------------------


@login_required
@require_GET
def attachment_download(request, pk):
    """Files are only served after the same check as the post they belong to."""
    attachment = get_object_or_404(Attachment.objects.select_related("post", "comment__post"), pk=pk)
    post = attachment.post or attachment.comment.post
    selectors.access_post_by_id(request.user, post.pk)
    if attachment.comment is not None and attachment.comment.deleted_at:
        raise Http404
    # Raster images inline, anything else a download; sandboxed and nosniff either way.
    return file_response(attachment.file, filename=attachment.name, inline=attachment.is_image)


@login_required
@require_POST
def markdown_preview(request):
    html = process(request.POST.get("body_md", "")[:20_000], author=request.user).html
    return render(request, "communities/partials/preview.html", {"html": html})


@login_required
@require_GET
def mention_autocomplete(request):
    """People only. In a private or secret community, only those who can read it are offered."""
    q = request.GET.get("q", "").strip()[:60]
    people = []
    if len(q) >= 1:
        qs = User.objects.filter(is_active=True).filter(
            Q(first_name__istartswith=q) | Q(last_name__istartswith=q) | Q(email__istartswith=q)
        )
        slug = request.GET.get("community")
        if slug:
            community = selectors.access_community_by_slug(request.user, slug)
            if not perms.can_read_community(request.user, community):
                qs = qs.none()  # a private community's members are not listed to outsiders
            else:
                qs = qs.filter(pk__in=perms.readers_of(community).values("pk"))
        people = list(qs.order_by("last_name", "first_name", "id")[:8])
        for person in people:
            person.handle = mention_handle(person)
    return render(request, "communities/partials/mention_options.html", {"people": people})


@login_required
def search_page(request):
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("type") or ""
    if kind and kind not in TYPES:
        kind = ""
    results = search(request.user, q, type=kind or None) if q else {}
    return render(
        request,
        "communities/search.html",
        {
            "q": q,
            "type": kind,
            "types": TYPES,
            # A list of pairs: a dict with an "items" key would hide dict.items() from templates.
            "sections": list(results.items()),
            "total": sum(len(v) for v in results.values()),
            "per_type": PER_TYPE_WHEN_ALL,  # a full section may have more: "More of these"
        },
    )
