import pytest
from django.contrib.postgres.search import SearchQuery
from django.urls import reverse

from communities import search, services
from communities.models import Community, Post
from communities.tests.factories import CommunityFactory, member
from directory.models import Profile
from repository import services as repository_services
from repository.models import ItemType
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(user):
    c = CommunityFactory(name="Quality circle", description_md="Audits and kaizen")
    member(c, user)
    return c


def test_ranking_prefers_titles_and_only_visible_posts(user, community):
    services.do_create_post(user, community, title="Other topic", body_md="we mention kaizen once")
    services.do_create_post(user, community, title="Kaizen workshop", body_md="kaizen kaizen, all about kaizen")
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    services.do_create_post(member(private), private, title="Kaizen secret", body_md="kaizen")
    hits = search.search_posts(user, "kaizen")
    assert [h.title for h in hits] == ["Kaizen workshop", "Other topic"]


def test_snippets_are_escaped_and_highlighted(user, community):
    services.do_create_post(user, community, title="T", body_md="<b>bold</b> and the needle <script>x</script>")
    hit = search.search_posts(user, "needle")[0]
    assert "<mark>needle</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert str(search.highlight("Élodie mange", ["elodie"])) == "<mark>Élodie</mark> mange"


def test_comments_communities_people_items(user, community):
    post = services.do_create_post(user, community, title="T", body_md="b")
    services.do_create_comment(user, post, body_md="calibration matters")
    assert [h.obj.body_md for h in search.search_comments(user, "calibration")] == ["calibration matters"]
    assert [h.obj for h in search.search_communities(user, "audits")] == [community]
    kind = ItemType.objects.create(name="Customer", slug="customer")
    admin = UserFactory(is_superuser=True, is_staff=True)
    repository_services.do_create_item(admin, kind, {"name": "Acme Industries"})
    assert [h.title for h in search.search_items(user, "acme")] == ["Acme Industries"]


def test_people_respect_mobile_phone_visibility(user, logged_client):
    shown = UserFactory(first_name="Marguerite", last_name="Open")
    hidden = UserFactory(first_name="Marguerite", last_name="Closed")
    Profile.objects.create(user=shown, job_title="Buyer", phone_mobile="+33 6 11 11 11 11")
    Profile.objects.create(
        user=hidden, phone_mobile="+33 6 22 22 22 22", phone_mobile_visibility=Profile.Visibility.NOBODY
    )
    UserFactory(first_name="Marguerite", last_name="Gone", is_active=False)
    hits = search.search_people(user, "marguerite")
    assert {h.obj.last_name for h in hits} == {"Open", "Closed"}
    page = logged_client.get(reverse("search") + "?q=marguerite&type=people").content.decode()
    assert "+33 6 11 11 11 11" in page and "+33 6 22 22 22 22" not in page
    api = logged_client.get("/api/v1/search/?q=marguerite&type=people").json()["results"]["people"]
    assert {p["mobile"] for p in api} == {"+33 6 11 11 11 11", None}


def test_search_page_type_filter_and_api_errors(user, community, logged_client):
    services.do_create_post(user, community, title="Forklift safety", body_md="x")
    page = logged_client.get(reverse("search") + "?q=forklift&type=posts").content.decode()
    assert "<mark>Forklift</mark> safety" in page
    page = logged_client.get(reverse("search") + "?q=forklift&type=people").content.decode()
    assert "safety" not in page  # the post is not a person
    assert logged_client.get("/api/v1/search/?q=x&type=bogus").status_code == 400
    assert logged_client.get("/api/v1/search/").status_code == 400


def test_top_bar_search_points_to_the_search_page(logged_client):
    assert f'action="{reverse("search")}"' in logged_client.get(reverse("home")).content.decode()


def test_accents_and_case_are_ignored_both_ways(user, community):
    """French users type "aeroline", "Aeroline" or "Aéroline": each finds the others."""
    post = services.do_create_post(user, community, title="Revue fournisseurs", body_md="Voir Aéroline Industries")
    services.do_create_comment(user, post, body_md="Réunion avec AEROLINE jeudi")
    team = CommunityFactory(name="Équipe Qualité", description_md="Contrôle")
    for query in ("aeroline", "Aéroline", "AÉROLINE"):
        assert [h.obj for h in search.search_posts(user, query)] == [post], query
        assert len(search.search_comments(user, query)) == 1, query
    assert [h.obj for h in search.search_communities(user, "equipe qualite")] == [team]
    assert [h.obj for h in search.search_communities(user, "controle")] == [team]
    assert "<mark>Aéroline</mark>" in search.search_posts(user, "aeroline")[0].snippet


@pytest.mark.postgres
def test_full_text_search_on_postgresql(user, community):
    from django.db import connection

    services.do_create_post(user, community, title="Kaizen workshop", body_md="kaizen kaizen")
    services.do_create_post(user, community, title="Other", body_md="one kaizen")
    hits = search.search_posts(user, "kaizen")
    assert [h.title for h in hits] == ["Kaizen workshop", "Other"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'communities_%_search_gin'")
        assert len(cursor.fetchall()) == 3
        # The query's expression is the index's: PostgreSQL can use it (seq scans off to force the choice).
        qs = search._fulltext(Post.objects.all(), search.DOCUMENTS["post"](), "kaizen")
        inner = Post.objects.annotate(document=search.DOCUMENTS["post"]()).filter(
            document=SearchQuery("kaizen", config=search.SEARCH_CONFIG, search_type="websearch")
        )
        sql, params = inner.values("pk").query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "communities_post_search_gin" in plan, plan
        assert len(list(qs)) == 2
    assert search.search_comments(user, "kaizen") == []
    assert [h.obj for h in search.search_communities(user, "audits")] == [community]


def test_more_of_these_only_when_a_section_is_full(user, community, logged_client):
    for i in range(search.PER_TYPE_WHEN_ALL):
        services.do_create_post(user, community, title=f"Kaizen {i}", body_md="kaizen")
    html = logged_client.get(reverse("search"), {"q": "kaizen"}).content.decode()
    assert "type=posts" in html  # five posts: there may be more
    assert "type=communities" not in html  # one community matched ("kaizen" in its description)


def test_result_titles_show_the_searched_words_escaped(user, community, logged_client):
    services.do_create_post(user, community, title="Réunion <b>qualité</b>", body_md="ordre du jour")
    html = logged_client.get(reverse("search"), {"q": "qualite"}).content.decode()
    assert "<strong>Réunion &lt;b&gt;<mark>qualité</mark>&lt;/b&gt;</strong>" in html
