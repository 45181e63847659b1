import pytest
from django.urls import reverse

from communities import services

pytestmark = pytest.mark.django_db


def test_pages_render(logged_client, user):
    community = services.do_create_community(user, name="Lean", description_md="Kaizen *ideas*", tags="lean, 5S")
    post = services.do_create_post(user, community, kind="question", title="How?", body_md="Ask #lean @nobody")
    services.do_create_comment(user, post, body_md="Like this")
    poll = services.do_create_post(user, community, kind="poll", title="Lunch?", poll_options=["Pizza", "Salad"])
    comment = services.do_create_comment(user, post, body_md="first")
    services.do_edit_comment(user, comment, body_md="second")
    for url in [
        reverse("home"),
        reverse("essentials"),
        reverse("unanswered_questions"),
        reverse("bookmarks"),
        reverse("community_list"),
        reverse("community_list") + "?scope=suggested",
        reverse("community_detail", args=[community.slug]),
        reverse("community_members", args=[community.slug]),
        reverse("post_detail", args=[post.pk]),
        reverse("post_detail", args=[poll.pk]),
        reverse("search") + "?q=lunch",
        reverse("tag_detail", args=["lean"]),
        reverse("post_create", args=[community.slug]) + "?kind=poll",
        reverse("community_create"),
        reverse("post_share", args=[post.pk]),
        reverse("post_history", args=[post.pk]),
    ]:
        response = logged_client.get(url)
        assert response.status_code == 200, url
