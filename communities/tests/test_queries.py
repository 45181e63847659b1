"""Every list page runs a fixed number of queries whatever its length (≤ 12): a page holding one
post of every kind with everything that makes a card expensive, then many more of them. Feeds load
attachments, poll options, originals of shares and per-kind flags only when the page holds posts
that have them: a feed of plain discussions runs fewer queries (test_plain_feeds_*)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from communities import services
from communities.models import Community, Membership, Post
from communities.tests.factories import CommunityFactory, member
from directory.models import Follow
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 12
KINDS = ["question", "discussion", "poll", "event", "announcement"]  # a question first: every list has 1 item


def png():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buf, "PNG")
    return SimpleUploadedFile("pixel.png", buf.getvalue(), content_type="image/png")


class World:
    def __init__(self, viewer):
        self.viewer = viewer
        self.community = CommunityFactory(name="Bench", slug="bench", visibility=Community.Visibility.OPEN)
        self.other = CommunityFactory(name="Elsewhere", slug="elsewhere")
        self.animator = member(self.community, role=Membership.Role.ANIMATOR)
        member(self.other, self.animator)
        member(self.community, viewer)
        Follow.objects.create(follower=viewer, followed=self.animator)
        self.count = 0

    def add(self, n):
        """n more posts of every kind, with what makes a card expensive: attachments, votes,
        RSVPs, acknowledgements, reactions, bookmarks, shares, comments, pins."""
        for _ in range(n):
            kind = KINDS[self.count % len(KINDS)]
            self.count += 1
            extra = {}
            if kind == "poll":
                extra = {"poll_options": ["a", "b"], "poll_multiple": True}
            elif kind == "event":
                extra = {"event_starts_at": timezone.now() + timedelta(days=1), "event_place": "Lyon"}
            elif kind == "announcement":
                extra = {"requires_ack": True}
            post = services.do_create_post(
                self.animator, self.community, kind=kind, title=f"Post {self.count} #bench",
                body_md=f"Body {self.count} @{self.viewer.email.split('@')[0]} #bench", files=[png()], **extra,
            )  # fmt: skip
            services.do_react(self.viewer, "like", post=post)
            services.do_toggle_bookmark(self.viewer, post)
            if kind == "poll":
                services.do_vote(self.viewer, post, list(post.poll_options.values_list("pk", flat=True)))
            if kind == "event":
                services.do_rsvp(self.viewer, post, "yes")
            if kind == "announcement":
                services.do_acknowledge(self.viewer, post)
            if kind == "question":
                services.do_create_comment(self.viewer, post, body_md="answer")
            services.do_pin_post(self.animator, post)
            services.do_highlight_post(self.animator, post)
            services.do_share_post(self.animator, post, self.other)


PAGES = [
    reverse("home"),
    reverse("home") + "?order=active",
    reverse("essentials"),
    reverse("unanswered_questions"),
    reverse("bookmarks"),
    reverse("community_detail", args=["bench"]),
    reverse("community_detail", args=["bench"]) + "?unanswered=1",
    reverse("community_detail", args=["elsewhere"]),  # every post there is a share: originals prefetched
    reverse("tag_detail", args=["bench"]),
    reverse("community_list"),
    reverse("community_list") + "?scope=active",
    reverse("community_members", args=["bench"]),
    reverse("search") + "?q=body",
]
API = [
    "/api/v1/feeds/home/",
    "/api/v1/feeds/essentials/",
    "/api/v1/feeds/questions/",
    "/api/v1/feeds/bookmarks/",
    "/api/v1/communities/bench/posts/",
    "/api/v1/communities/elsewhere/posts/",
    "/api/v1/communities/",
    "/api/v1/communities/bench/members/",
    "/api/v1/search/?q=body",
]


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("url", PAGES + API)
def test_list_pages_have_a_fixed_query_count(client, url):
    viewer = UserFactory()
    world = World(viewer)
    world.add(1)
    for _ in range(3):  # communities list: more than one community
        member(CommunityFactory(), UserFactory())
    if url.startswith("/api/"):
        client = APIClient()
        client.force_authenticate(viewer)
    else:
        client.force_login(viewer)
    world.add(len(KINDS) - 1)  # one post of every kind
    count(client, url)  # warm caches (content types, sessions)
    one, sql_one = count(client, url)
    world.add(10)
    for _ in range(5):
        member(world.community, UserFactory())
        member(CommunityFactory(), UserFactory())
    many, sql_many = count(client, url)
    assert one <= MAX_QUERIES, sql_one
    assert one == many, f"{one} vs {many}\n--- one ---\n{sql_one}\n--- many ---\n{sql_many}"


def test_post_page_and_comments_have_a_fixed_query_count(client):
    viewer = UserFactory()
    world = World(viewer)
    world.add(2)
    post = Post.objects.filter(kind="question", community=world.community).first()
    client.force_login(viewer)
    url = reverse("post_detail", args=[post.pk])
    count(client, url)
    one, sql_one = count(client, url)
    for i in range(8):
        parent = services.do_create_comment(world.animator, post, body_md=f"c{i}", files=[png()])
        services.do_create_comment(viewer, post, body_md=f"r{i}", parent=parent)
        services.do_react(viewer, "agree", comment=parent)
    many, sql_many = count(client, url)
    assert one <= MAX_QUERIES, sql_one
    assert one == many, f"{one} vs {many}\n{sql_many}"
    api = APIClient()
    api.force_authenticate(viewer)
    n, sql = count(api, f"/api/v1/posts/{post.pk}/comments/")
    assert n <= MAX_QUERIES, sql


def test_htmx_next_page_has_the_same_count(client):
    viewer = UserFactory()
    world = World(viewer)
    world.add(25)
    client.force_login(viewer)
    first = client.get(reverse("community_detail", args=["bench"]))
    cursor = first.context["page"].next_cursor
    assert cursor
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("community_detail", args=["bench"]) + f"?cursor={cursor}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert len(ctx.captured_queries) <= MAX_QUERIES


def _plain_world(viewer, n):
    """The common case (and the benchmark's): discussions without attachments, polls or shares."""
    community = CommunityFactory(name="Plain", slug="plain", visibility=Community.Visibility.OPEN)
    author = member(community, role=Membership.Role.ANIMATOR)
    member(community, viewer)
    for i in range(n):
        post = services.do_create_post(author, community, kind="discussion", title=f"Plain {i}", body_md=f"Text {i}")
        if i % 2:
            services.do_react(viewer, "like", post=post)
    return community


@pytest.mark.parametrize(("url", "expected"), [("/c/plain/", 7), ("/", 5), ("/?order=active", 5)])
def test_plain_feeds_run_few_queries(client, django_assert_num_queries, url, expected):
    """community feed: user (with my roles), community, my memberships (with my mute of the
    community), tags, pinned posts, the page, my reactions and bookmarks; home: user, my memberships with their
    communities, the page, my flags, the first-steps card. Whatever the length of the page."""
    viewer = UserFactory()
    _plain_world(viewer, 3)
    client.force_login(viewer)
    client.get(url)  # warm caches (content types, sessions)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200 and b"Plain 2" in response.content
    for i in range(3, 25):
        services.do_create_post(Post.objects.first().author, Community.objects.get(slug="plain"), kind="discussion",
                                title=f"Plain {i}", body_md="More")  # fmt: skip
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert b"Plain 24" in response.content
