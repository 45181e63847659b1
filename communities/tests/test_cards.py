"""Cached post cards (communities/cards.py) never show a stale or someone else's card."""

import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import Comment, Membership, Poll, Post
from communities.tests.factories import member
from communities.tests.test_queries import World
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": |data-live-since=)"[^"]+"')


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return PER_REQUEST.sub(r'\1"…"', response.content.decode())


def fresh(client, url):
    """The page rendered with no cache at all: what the cached page must equal."""
    with override_settings(CACHES=NO_CACHE):
        return page(client, url)


@pytest.fixture
def world(user):
    world = World(user)
    world.add(5)  # one post of each kind, with reactions, votes, RSVPs, acknowledgements, shares
    return world


def _post(world, kind):
    return Post.objects.filter(community=world.community, kind=kind).first()


CHANGES = {
    "react": lambda w: services.do_react(w.viewer, "thanks", post=_post(w, "discussion")),
    "someone else reacts": lambda w: services.do_react(w.animator, "agree", post=_post(w, "discussion")),
    "bookmark": lambda w: services.do_toggle_bookmark(w.viewer, _post(w, "question")),
    "vote again": lambda w: services.do_vote(w.viewer, _post(w, "poll"), [_post(w, "poll").poll_options.first().pk]),
    "poll closes": lambda w: Poll.objects.update(closes_at=timezone.now() - timedelta(minutes=1)),
    "rsvp": lambda w: services.do_rsvp(w.viewer, _post(w, "event"), "maybe"),
    "comment": lambda w: services.do_create_comment(w.animator, _post(w, "discussion"), body_md="more"),
    "accept answer": lambda w: services.do_accept_answer(
        w.animator, _post(w, "question"), Comment.objects.filter(post=_post(w, "question")).first()
    ),
    "unpin": lambda w: services.do_pin_post(w.animator, _post(w, "event"), pinned=False),
    "edit": lambda w: services.do_edit_post(w.animator, _post(w, "discussion"), body_md="**Edited** body"),
    "author renamed": lambda w: type(w.animator).objects.filter(pk=w.animator.pk).update(first_name="Renamed"),
    "community renamed": lambda w: services.do_update_community(w.animator, w.community, name="Renamed place"),
    "viewer becomes animator": lambda w: Membership.objects.filter(user=w.viewer, community=w.community).update(
        role=Membership.Role.ANIMATOR
    ),
    "new member (acknowledgement rate)": lambda w: member(w.community, UserFactory()),
    "original deleted": lambda w: services.do_delete_post(w.animator, _post(w, "discussion")),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_cached_feed_equals_a_fresh_one_after_any_change(world, user, change):
    client = Client()
    client.force_login(user)
    urls = [reverse("community_detail", args=["bench"]), reverse("community_detail", args=["elsewhere"])]
    for url in urls:
        assert page(client, url) == fresh(client, url)  # cold then warm: the same page
        page(client, url)
    CHANGES[change](world)
    for url in urls:
        assert page(client, url) == fresh(client, url), change


def test_readers_share_a_card_but_each_gets_a_working_csrf_token(world, user, django_assert_max_num_queries):
    other = UserFactory()
    member(world.community, other)
    url = reverse("community_detail", args=["bench"])
    first = Client(enforce_csrf_checks=True)
    first.force_login(user)
    first.get(url)
    second = Client(enforce_csrf_checks=True)
    second.force_login(other)
    html = second.get(url).content.decode()
    post = _post(world, "discussion")
    # The bookmark form of that card, with the token the cached card now carries.
    form = re.search(rf'action="/posts/{post.pk}/bookmark/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" '
                     r'value="([^"]+)"', html)  # fmt: skip
    assert form, "bookmark form with a CSRF field"
    response = second.post(f"/posts/{post.pk}/bookmark/", {"csrfmiddlewaretoken": form.group(1)})
    assert response.status_code in (200, 302)
    assert services.do_toggle_bookmark(other, post) is False  # it was bookmarked by that post: now undone


def test_cards_are_rendered_once_for_readers_in_the_same_state(world, user, monkeypatch):
    from communities import cards

    rendered = []
    real = cards.render_card
    monkeypatch.setattr(cards, "render_card", lambda post, viewer: rendered.append(post.pk) or real(post, viewer))
    url = reverse("community_detail", args=["elsewhere"])  # shares only: nobody there has reacted
    for person in (user, UserFactory(), UserFactory()):
        client = Client()
        client.force_login(person)
        assert client.get(url).status_code == 200
    assert rendered and len(rendered) == len(set(rendered))  # each card once, then from the cache


def test_readers_in_different_states_each_see_their_own_card(world):
    """Same counts, different viewer: one voted a, the other b; one will come, the other not."""
    one, two = UserFactory(), UserFactory()
    member(world.community, one)
    member(world.community, two)
    poll, event = _post(world, "poll"), _post(world, "event")
    first_option, second_option = poll.poll_options.all()
    services.do_vote(one, poll, [first_option.pk])
    services.do_vote(two, poll, [second_option.pk])
    services.do_rsvp(one, event, "yes")
    services.do_rsvp(two, event, "no")
    url = reverse("community_detail", args=["bench"])
    for person in (one, two, one, two):
        client = Client()
        client.force_login(person)
        assert page(client, url) == fresh(client, url)


def test_a_poll_closing_by_the_clock_is_not_served_open_from_the_cache(world, user, monkeypatch):
    Poll.objects.update(closes_at=timezone.now() + timedelta(hours=1))
    client = Client()
    client.force_login(user)
    url = reverse("community_detail", args=["bench"])
    assert "Change my vote" in page(client, url)
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr("communities.models.timezone.now", lambda: later)
    assert "Change my vote" not in page(client, url)
