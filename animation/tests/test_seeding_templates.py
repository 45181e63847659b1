"""Community templates: a community created from one is ready on day one (form and API)."""

import pytest
from django.urls import reverse

from animation.seeding.models import CommunityTemplate, SeedingSetup
from animation.seeding.selectors import ensure_builtin_templates
from animation.seeding.services import do_save_as_template
from communities.models import Community, Membership, Post
from communities.services import do_create_community, do_pin_post
from communities.tests.factories import CommunityFactory, PostFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _builtin(key):
    ensure_builtin_templates()  # a transactional test of the same worker may have flushed them
    return CommunityTemplate.objects.get(key=key)


def test_the_four_builtin_templates_are_offered_by_the_api(client, django_assert_max_num_queries):
    ensure_builtin_templates()
    client.force_login(UserFactory())
    with django_assert_max_num_queries(4):
        data = client.get("/api/v1/community-templates/").json()["results"]
    names = [t["name"] for t in data]
    assert names == ["Project", "Community of practice", "Customer account", "Site"]
    assert all(len(t["starter_posts"]) >= 3 and t["charter_md"] and t["tags"] for t in data)


def test_the_template_list_costs_the_same_for_one_and_many(client, django_assert_num_queries):
    ensure_builtin_templates()
    client.force_login(UserFactory())
    client.get("/api/v1/community-templates/")  # warm the session
    CommunityTemplate.objects.exclude(key="project").update(is_active=False)
    with django_assert_num_queries(3) as one:
        client.get("/api/v1/community-templates/")
    CommunityTemplate.objects.update(is_active=True)
    for i in range(3):
        template = CommunityTemplate.objects.create(name=f"Custom {i}")
        template.posts.create(title="Hello")
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/api/v1/community-templates/")


def test_a_community_from_a_template_is_ready_on_day_one():
    owner = UserFactory()
    community = do_create_community(owner, name="Aurora delivery", template=_builtin("project").pk)
    assert "Charter" in community.description_md and "Be kind" in community.description_md
    assert {"project", "milestones", "decisions"} <= {t.slug for t in community.tags.all()}
    titles = list(Post.objects.filter(community=community).values_list("title", flat=True))
    assert "Welcome! Start here" in titles and "Introduce yourself" in titles and len(titles) == 4
    setup = SeedingSetup.objects.get(community=community)
    assert setup.template.key == "project" and "decision" in setup.objectives_md
    assert community.memberships.get().role == Membership.Role.OWNER


def test_the_form_offers_the_templates_and_uses_the_chosen_one(client):
    client.force_login(UserFactory())
    page = client.get(reverse("community_create") + f"?template={_builtin('site').pk}").content.decode()
    assert "Start from a template" in page and "Customer account" in page
    response = client.post(
        reverse("community_create"),
        {"name": "Lyon site life", "visibility": "open", "template": str(_builtin("site").pk)},
    )
    assert response.status_code == 302
    community = Community.objects.get(name="Lyon site life")
    assert community.posts_count == 4 and "site-life" in {t.slug for t in community.tags.all()}


def test_the_api_creates_from_a_template_and_refuses_an_unknown_one(client):
    client.force_login(UserFactory())
    ok = client.post(
        "/api/v1/communities/", {"name": "Key account Acme", "template": _builtin("customer").pk},
        content_type="application/json",
    )  # fmt: skip
    assert ok.status_code == 201, ok.content
    assert Post.objects.filter(community__slug=ok.json()["slug"]).count() == 4
    for bad in (999_999, "abc", -1, 2**70):
        response = client.post(
            "/api/v1/communities/", {"name": f"Nope {bad}", "template": bad}, content_type="application/json"
        )
        assert response.status_code == 400 and "template" in response.json(), (bad, response.content)
    assert not Community.objects.filter(name__startswith="Nope").exists()


def test_in_french_the_builtin_templates_read_in_french(client):
    from django.utils import translation

    owner = UserFactory()
    with translation.override("fr"):
        community = do_create_community(owner, name="Pratique", template=_builtin("practice").pk)
    assert Post.objects.filter(community=community, title="Bienvenue ! Commencez ici").exists()


def test_administrators_save_a_community_as_a_template_others_cannot(client):
    community = CommunityFactory(name="Model")
    owner = member(community, role=Membership.Role.OWNER)
    post = PostFactory(community=community, author=owner, title="Read me first")
    do_pin_post(owner, post)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(owner)
    url = reverse("animation:templates", args=[community.slug])
    assert client.post(url, {"name": "Mine"}).status_code == 403
    client.force_login(admin)
    assert client.post(url, {"name": "Model template", "summary": "As Model"}).status_code == 302
    template = CommunityTemplate.objects.get(name="Model template")
    assert template.source == community and [p.title for p in template.posts.all()] == ["Read me first"]
    created = do_create_community(UserFactory(), name="Copy", template=template.pk)
    assert created.posts.filter(title="Read me first").exists()
    with pytest.raises(Exception, match="administrators"):
        do_save_as_template(owner, community, name="x")
