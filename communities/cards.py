"""Post cards rendered once and shared: a feed page takes its cards from the cache.

Rendering twenty cards with Django templates was the largest cost of a feed page (~7 ms). A
card depends only on the post's state, the viewer's few flags (my reaction, bookmark, vote,
RSVP, acknowledgement, may react, may moderate, is author), the language and the time zone:
the cache key is a digest of exactly those values, so most readers of a community share one
rendered card and any change (a reaction, a vote, an edit, a new comment) makes a new key. No
invalidation is needed: stale keys are never asked for again and expire.

The card's forms carry the CSRF token of whoever reads it: the cached HTML holds a placeholder
that is replaced by this request's token on the way out.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CARD_TEMPLATE = "communities/partials/post_card.html"
CARD_TTL = 24 * 3600
CSRF_PLACEHOLDER = "rseCsrfPlaceholder0fThisCard"


def _release():
    """A new deployment with other templates or translations never serves an old card; while
    developing (DEBUG), an edited template neither."""
    return _digest_of_sources() if settings.DEBUG else _cached_release()


@lru_cache(maxsize=1)
def _cached_release():
    return _digest_of_sources()


def _digest_of_sources():
    digest = hashlib.blake2b(digest_size=8)
    for name in (CARD_TEMPLATE, "communities/partials/poll.html", "communities/partials/reactions.html"):
        digest.update(get_template(name).template.source.encode())
    for mo in sorted(Path(p) for p in settings.LOCALE_PATHS):
        for path in sorted(mo.glob("*/LC_MESSAGES/django.mo")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def card_state(post, viewer):
    """Every value the card template reads (keep in step with post_card.html, poll.html and
    reactions.html: test_cards renders cards cold and warm to hold them to it)."""
    author, community = post.author, post.community
    state = [
        _release(), get_language(), timezone.get_current_timezone_name(),
        post.pk, post.kind, post.title, post.body_html, post.created_at, post.updated_at, post.edited_at,
        post.pinned_at, post.highlighted_at, post.accepted_comment_id, post.requires_ack, post.acks_count,
        post.comments_count, post.reactions_count, author.display_name, author.initials,
        community.slug, community.name,
        post.my_reaction, post.is_bookmarked, post.has_acked, post.my_rsvp, post.has_voted,
        tuple(sorted(post.my_choices)), post.can_moderate, post.can_react, post.can_edit, post.can_see_acks, post.can_see_results,
        post.author_id == viewer.pk,
        tuple((f.pk, f.name, f.is_image, f.size) for f in post.attachments.all()) if post.attachments_count else (),
    ]  # fmt: skip
    if post.requires_ack:
        state.append(community.members_count)
    if post.shared_from_id:
        state.append(post.original_readable)
        if post.original_readable:
            original = post.shared_from
            state += [str(original), original.community.name, original.author.display_name]
    poll = getattr(post, "poll", None) if post.kind == post.Kind.POLL else None
    if poll is not None:
        state += [poll.multiple, poll.closes_at, poll.is_closed, poll.voters_count]
        state += [(o.pk, o.label, o.votes_count) for o in post.poll_options.all()]
    event = getattr(post, "event", None) if post.kind == post.Kind.EVENT else None
    if event is not None:
        state += [event.starts_at, event.ends_at, event.place, event.yes_count, event.maybe_count, event.no_count]
    return state


def card_key(post, viewer):
    return "card:" + hashlib.blake2b(repr(card_state(post, viewer)).encode(), digest_size=16).hexdigest()


def render_card(post, viewer):
    return render_to_string(CARD_TEMPLATE, {"post": post, "user": viewer, "csrf_token": CSRF_PLACEHOLDER})


def attach_cards(request, posts, *, token=None):
    """Sets `post.card_html` on posts annotated for `request.user` (prefetch.annotate_posts_for_viewer):
    one cache round trip for the page, the missing cards rendered and stored. `token`: the CSRF
    token the page renders with (else a new one: each get_token() masks anew, 32 random draws)."""
    if not posts:
        return posts
    viewer = request.user
    keys = {post.pk: card_key(post, viewer) for post in posts}
    found = cache.get_many(set(keys.values()))
    missing = {}
    token = token or get_token(request)
    for post in posts:
        html = found.get(keys[post.pk])
        if html is None:
            html = missing[keys[post.pk]] = render_card(post, viewer)
        post.card_html = mark_safe(html.replace(CSRF_PLACEHOLDER, token))  # noqa: S308 - rendered by our template
    if missing:
        cache.set_many(missing, CARD_TTL)
    return posts
