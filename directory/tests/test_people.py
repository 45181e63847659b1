import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from directory import selectors
from directory.models import Endorsement, Follow, Profile, UserSkill
from directory.services import do_add_skill, do_follow, do_toggle_endorsement
from directory.tests.factories import OrgUnitFactory, SiteFactory, SkillFactory, person
from rse.trail.models import Event

pytestmark = pytest.mark.django_db


# --- Search -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["helene", "HELENE", "Hélène", "hélène dup", "dupre"])
def test_search_is_accent_and_case_insensitive(logged_client, me, query):
    person("Hélène", "Dupré")
    person("Marc", "Dubois")
    page = logged_client.get(reverse("directory:index"), {"q": query}).content.decode()
    assert "Hélène Dupré" in page
    assert "Marc Dubois" not in page


def test_search_filters_skill_unit_site_language(me):
    parent = OrgUnitFactory(name="Technology", slug="technology")
    team = OrgUnitFactory(name="IT", slug="it", parent=parent)
    paris = SiteFactory(name="Paris", slug="paris")
    python = SkillFactory(name="Python", slug="python")
    ann = person("Ann", "One", org_unit=team, site=paris, languages="fr,en")
    bob = person("Bob", "Two", languages="de")
    UserSkill.objects.create(user=ann.user, skill=python)
    assert list(selectors.search_people(skill="python")) == [ann]
    assert list(selectors.search_people(org_unit="technology")) == [ann]  # sub-units included
    assert list(selectors.search_people(site="paris")) == [ann]
    assert set(selectors.search_people(language="en")) == {ann}
    assert set(selectors.search_people(language="de")) == {bob}
    assert list(selectors.search_people(org_unit="nope")) == []


def test_inactive_people_are_not_listed(me):
    person("Gone", "Person", is_active=False)
    assert not selectors.search_people(q="gone").exists()


def test_directory_is_keyset_paginated(logged_client, me):
    for i in range(25):
        person("Zed", f"Person{i:02d}")
    first = logged_client.get(reverse("directory:index"), {"q": "zed"})
    page = first.context["page"]
    assert len(page.items) == 20 and page.next_cursor
    second = logged_client.get(
        reverse("directory:index"), {"q": "zed", "cursor": page.next_cursor}, HTTP_HX_REQUEST="true"
    )
    names = [p.user.last_name for p in second.context["page"].items]
    assert len(names) == 5 and "Person24" in names
    assert logged_client.get(reverse("directory:index"), {"cursor": "garbage!"}).status_code == 400


def _many(n, **kwargs):
    return [person("Many", f"P{i}", **kwargs) for i in range(n)]


def test_directory_list_query_count_is_constant(logged_client, me, django_assert_num_queries):
    unit, site = OrgUnitFactory(), SiteFactory()
    person("Many", "P0", org_unit=unit, site=site)
    logged_client.get(reverse("directory:index"))  # warm up session/user caches
    logged_client.get(reverse("directory:index"))  # warm the session and bell caches
    with django_assert_num_queries(7) as one:  # the user comes with its roles (rse/accounts/roles.py)
        logged_client.get(reverse("directory:index"))
    _many(15, org_unit=unit, site=site)
    with django_assert_num_queries(len(one.captured_queries)):
        response = logged_client.get(reverse("directory:index"))
    assert len(response.context["page"].items) == 17


# --- Mobile phone visibility: every door -----------------------------------------------------


@pytest.fixture
def secretive(db):
    return person(
        "Secret", "Agent", phone_mobile="+33 6 99 99 99 99", phone_mobile_visibility=Profile.Visibility.NOBODY
    )


@pytest.fixture
def open_person(db):
    return person(
        "Open", "Book", phone_mobile="+33 6 11 11 11 11", phone_mobile_visibility=Profile.Visibility.COLLEAGUES
    )


def test_hidden_mobile_is_hidden_on_profile_page(logged_client, me, secretive, open_person):
    assert (
        "+33 6 99 99 99 99"
        not in logged_client.get(reverse("directory:profile", args=[secretive.user_id])).content.decode()
    )
    assert (
        "+33 6 11 11 11 11"
        in logged_client.get(reverse("directory:profile", args=[open_person.user_id])).content.decode()
    )


def test_hidden_mobile_is_hidden_in_search_and_lists(logged_client, me, secretive, open_person):
    page = logged_client.get(reverse("directory:index")).content.decode()
    assert "Secret Agent" in page and "+33 6 99 99 99 99" not in page
    assert "+33 6 11 11 11 11" in page
    secretive.org_unit = OrgUnitFactory(slug="spies")
    secretive.save()
    assert "+33 6 99 99 99 99" not in logged_client.get(reverse("directory:org_unit", args=["spies"])).content.decode()
    assert (
        "+33 6 99 99 99 99"
        not in logged_client.get(reverse("directory:org_chart", args=[secretive.user_id])).content.decode()
    )


def test_hidden_mobile_is_hidden_in_the_api(logged_client, me, secretive):
    listing = logged_client.get("/api/v1/people/", {"q": "secret"}).json()
    assert listing["results"][0]["phone_mobile"] == ""
    detail = logged_client.get(f"/api/v1/people/{secretive.user_id}/").json()
    assert detail["phone_mobile"] == "" and detail["phone_work"]
    assert "+33 6 99" not in logged_client.get("/api/v1/people/").content.decode()


def test_owner_always_sees_own_mobile(client, secretive):
    client.force_login(secretive.user)
    assert "+33 6 99 99 99 99" in client.get(reverse("directory:profile", args=[secretive.user_id])).content.decode()
    assert client.get(f"/api/v1/people/{secretive.user_id}/").json()["phone_mobile"] == "+33 6 99 99 99 99"


# --- Profile page and edit -----------------------------------------------------------------


def test_profile_page_query_count_is_constant(logged_client, me, other_user, django_assert_num_queries):
    target = person("Target", "Person")
    us = UserSkill.objects.create(user=target.user, skill=SkillFactory())
    Endorsement.objects.create(user_skill=us, endorser=other_user)
    url = reverse("directory:profile", args=[target.user_id])
    logged_client.get(url)
    logged_client.get(url)  # warm the session and bell caches
    with django_assert_num_queries(11) as one:  # 3: engagement's influence per topic (profile facts hook)
        logged_client.get(url)
    for _ in range(6):
        extra = UserSkill.objects.create(user=target.user, skill=SkillFactory())
        for p in _many(3):
            Endorsement.objects.create(user_skill=extra, endorser=p.user)
    with django_assert_num_queries(len(one.captured_queries)):
        response = logged_client.get(url)
    assert response.content.decode().count('class="skill"') == 7


def test_org_chart_shows_chain_reports_peers_with_constant_queries(logged_client, me, django_assert_num_queries):
    ceo = person("Chief", "Exec")
    boss = person("Big", "Boss", manager=ceo.user)
    target = person("Middle", "Manager", manager=boss.user)
    peer = person("Peer", "Colleague", manager=boss.user)
    report = person("Direct", "Report", manager=target.user)
    url = reverse("directory:org_chart", args=[target.user_id])
    logged_client.get(url)  # warm the session and bell caches
    with django_assert_num_queries(3) as one:  # the user comes with its roles (rse/accounts/roles.py)
        response = logged_client.get(url)
    chart = response.context["chart"]
    assert [p.user_id for p in chart.chain] == [ceo.user_id, boss.user_id]
    assert [p.user_id for p in chart.reports] == [report.user_id]
    assert [p.user_id for p in chart.peers] == [peer.user_id]
    for _ in range(8):
        person("More", "Report", manager=target.user)
        person("More", "Peer", manager=boss.user)
    with django_assert_num_queries(len(one.captured_queries)):
        response = logged_client.get(url)
    assert len(response.context["chart"].reports) == 9 and len(response.context["chart"].peers) == 9


def test_a_manager_who_left_stays_in_the_chain_marked(logged_client, me):
    ceo = person("Chief", "Exec")
    boss = person("Gone", "Boss", manager=ceo.user)
    report = person("Direct", "Report", manager=boss.user)
    type(boss.user).objects.filter(pk=boss.user_id).update(is_active=False)
    response = logged_client.get(reverse("directory:org_chart", args=[report.user_id]))
    assert [p.user_id for p in response.context["chart"].chain] == [ceo.user_id, boss.user_id]
    assert "has left" in response.content.decode()


def test_org_chart_survives_a_cycle_in_the_data(logged_client, me):
    a = person("Cyc", "A")
    b = person("Cyc", "B", manager=a.user)
    a.manager = b.user
    a.save()
    response = logged_client.get(reverse("directory:org_chart", args=[a.user_id]))
    assert response.status_code == 200
    assert [p.user_id for p in response.context["chart"].chain] == [b.user_id]


def test_org_units_tree_and_unit_page(logged_client, me):
    root = OrgUnitFactory(name="Groupe Lumen", slug="groupe-lumen", kind="company")
    child = OrgUnitFactory(name="Technology", slug="technology", parent=root, kind="division")
    person("Tech", "Person", org_unit=child)
    tree = logged_client.get(reverse("directory:org_units")).content.decode()
    assert "Groupe Lumen" in tree and "Technology" in tree
    page = logged_client.get(reverse("directory:org_unit", args=["groupe-lumen"])).content.decode()
    assert "Technology" in page  # sub-unit
    page = logged_client.get(reverse("directory:org_unit", args=["technology"])).content.decode()
    assert "Tech Person" in page and "Groupe Lumen" in page  # member and breadcrumb
    assert logged_client.get(reverse("directory:org_unit", args=["nope"])).status_code == 404


def _png(size=(1200, 800)):
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 200, 10, 128)).save(out, "PNG")
    return SimpleUploadedFile("me.png", out.getvalue(), content_type="image/png")


def _edit_data(**extra):
    data = {
        "first_name": "Hélène",
        "last_name": "Dupré",
        "job_title": "Data scientist",
        "phone_mobile": "+33 6 00 00 00 01",
        "phone_mobile_visibility": "nobody",
        "languages": "FR, en",
        "bio_md": "Hello **world** <script>alert(1)</script>",
        "links": "Blog | https://blog.example\nhttps://github.com/helene",
    }
    data.update(extra)
    return data


def test_edit_profile_with_photo_resized_and_bio_sanitised(logged_client, user, me):
    response = logged_client.post(reverse("directory:profile_edit"), _edit_data(photo=_png()))
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.search_name == "helene dupre" and me.languages == "fr,en"
    assert "<strong>world</strong>" in me.bio_html and "<script>" not in me.bio_html
    with Image.open(me.photo.path) as image:
        assert max(image.size) == 512 and image.format == "JPEG"
    assert [link.label for link in user.profile_links.all()] == ["Blog", "https://github.com/helene"]
    assert Event.objects.filter(verb="directory.profile_updated", actor=user).exists()


def test_the_top_bar_shows_my_photo_once_i_have_one(logged_client, user, me):
    home = reverse("home")
    assert f'<span class="avatar" aria-hidden="true">{user.initials}</span>' in logged_client.get(home).content.decode()
    logged_client.post(reverse("directory:profile_edit"), _edit_data(photo=_png()))
    me.refresh_from_db()
    assert f'<img src="{me.photo.url}" alt="">' in logged_client.get(home).content.decode()
    logged_client.post(reverse("directory:profile_edit"), _edit_data(remove_photo="on"))
    assert (
        "<img src="
        not in logged_client.get(home).content.decode().split('class="menu-name"')[0].rsplit("<summary", 1)[1]
    )


def test_edit_profile_rejects_a_file_that_is_not_an_image(logged_client, me):
    fake = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    response = logged_client.post(reverse("directory:profile_edit"), _edit_data(photo=fake))
    assert response.status_code == 200
    assert "not an image we can read" in response.content.decode()
    me.refresh_from_db()
    assert not me.photo and me.job_title == "Engineer"  # nothing saved


def test_edit_profile_shows_form_errors(logged_client, me):
    response = logged_client.post(
        reverse("directory:profile_edit"), _edit_data(languages="french!!", links="x | notaurl")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "language codes" in content and "not a web address" in content


def test_skills_add_remove_and_endorse(logged_client, user, me, other_user):
    logged_client.post(reverse("directory:skill_add"), {"skill": "Python"})
    logged_client.post(reverse("directory:skill_add"), {"skill": "python"})  # same skill
    us = UserSkill.objects.get(user=user)
    assert us.skill.name == "Python"
    assert do_toggle_endorsement(other_user, us) is True
    assert do_toggle_endorsement(other_user, us) is False
    with pytest.raises(Exception, match="own skills"):
        do_toggle_endorsement(user, us)
    logged_client.post(reverse("directory:skill_remove", args=[us.pk]))
    assert not UserSkill.objects.filter(user=user).exists()


def test_endorse_button_htmx(client, user, other_user):
    person_profile = person("Skilled", "One")
    us = UserSkill.objects.create(user=person_profile.user, skill=SkillFactory(name="Kubernetes"))
    client.force_login(other_user)
    response = client.post(reverse("directory:endorse", args=[us.pk]), HTTP_HX_REQUEST="true")
    assert "1 endorsement" in response.content.decode() and 'aria-pressed="true"' in response.content.decode()
    assert Endorsement.objects.filter(user_skill=us, endorser=other_user).exists()


# --- Follows, suggestions, experts, first steps --------------------------------------------


def test_follow_and_unfollow_with_htmx(logged_client, user, me):
    target = person("Fol", "Lowed")
    url = reverse("directory:follow", args=[target.user_id])
    response = logged_client.post(url, {"action": "follow"}, HTTP_HX_REQUEST="true")
    assert "Following" in response.content.decode()
    assert Follow.objects.filter(follower=user, followed=target.user).exists()
    response = logged_client.post(url, {"action": "unfollow"}, HTTP_HX_REQUEST="true")
    assert ">Follow<" in response.content.decode()
    assert not Follow.objects.filter(follower=user).exists()
    assert logged_client.post(reverse("directory:follow", args=[user.pk]), {"action": "follow"}).status_code == 403


def test_follow_suggestions_manager_team_communities(user):
    unit = OrgUnitFactory()
    boss = person("The", "Boss")
    me = person("Me", "Myself", org_unit=unit, manager=boss.user)
    teammate = person("Team", "Mate", org_unit=unit)
    co_active = person("Co", "Active")
    stranger = person("Total", "Stranger")
    followed = person("Already", "Followed", org_unit=unit)
    do_follow(me.user, followed.user)
    Event.objects.create(actor=me.user, verb="communities.post_created", community_id=7)
    Event.objects.create(actor=co_active.user, verb="communities.comment_created", community_id=7)
    Event.objects.create(actor=stranger.user, verb="communities.comment_created", community_id=8)
    suggestions = selectors.suggest_follows(me.user)
    by_user = {s.profile.user_id: s for s in suggestions}
    assert suggestions[0].profile.user_id == boss.user_id and "your manager" in suggestions[0].reasons
    assert "in your team" in by_user[teammate.user_id].reasons
    assert any("communities" in r for r in by_user[co_active.user_id].reasons)
    assert stranger.user_id not in by_user and followed.user_id not in by_user and me.user_id not in by_user


def test_expert_finder_ranks_and_explains(logged_client, me):
    python = SkillFactory(name="Python", slug="python")
    SkillFactory(name="Python scripting", slug="python-scripting")
    declared_only = person("Declared", "Only")
    endorsed = person("Much", "Endorsed")
    UserSkill.objects.create(user=declared_only.user, skill=python)
    us = UserSkill.objects.create(user=endorsed.user, skill=python)
    for p in _many(3):
        Endorsement.objects.create(user_skill=us, endorser=p.user)
    experts = selectors.find_experts(me.user, "pythön")
    assert [e.profile.user_id for e in experts] == [endorsed.user_id, declared_only.user_id]
    assert experts[0].reasons == ["declared Python, endorsed by 3 colleagues"]
    assert experts[1].reasons == ["declared Python"]
    page = logged_client.get(reverse("directory:experts"), {"q": "python"}).content.decode()
    assert "declared Python, endorsed by 3 colleagues" in page


def test_expert_finder_extension_point_adds_scores(me):
    python = SkillFactory(name="Python", slug="python")
    declared = person("Declared", "Only")
    UserSkill.objects.create(user=declared.user, skill=python)
    answerer = person("Great", "Answerer")
    experts = selectors.find_experts(
        me.user, "python", extra_scores={answerer.user_id: (50, "5 accepted answers about Python")}
    )
    assert experts[0].profile.user_id == answerer.user_id
    assert experts[0].reasons == ["5 accepted answers about Python"]


def test_first_steps_are_skippable_and_dismissible(logged_client, user, me):
    page = logged_client.get(reverse("directory:index")).content.decode()
    assert "A few first steps" in page
    for step in ("photo", "skills"):
        logged_client.post(reverse("directory:welcome_skip", args=[step]))
    assert "A few first steps" in logged_client.get(reverse("directory:index")).content.decode()
    do_add_skill(user, "Negotiation")
    logged_client.post(reverse("directory:welcome_dismiss"), HTTP_HX_REQUEST="true")
    assert selectors.first_steps(user) is None
    assert "A few first steps" not in logged_client.get(reverse("directory:index")).content.decode()
    assert logged_client.get(reverse("directory:welcome")).status_code == 200


def test_first_steps_disappear_when_everything_is_done_or_skipped(user, me):
    for step in ("photo", "skills", "follow"):
        assert selectors.first_steps(user) is not None
        from directory.services import do_skip_first_step

        do_skip_first_step(user, step)
    assert selectors.first_steps(user) is None


def test_pages_need_login(client):
    for name in ("directory:index", "directory:experts", "directory:contacts", "directory:org_units"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_my_profile_creates_a_missing_profile(logged_client, user):
    response = logged_client.get(reverse("directory:me"))
    assert response.status_code == 302
    assert Profile.objects.filter(user=user).exists()
    assert logged_client.get(response["Location"]).status_code == 200


def test_network_page(logged_client, user, me):
    target = person("Net", "Work")
    do_follow(user, target.user)
    assert "Net Work" in logged_client.get(reverse("directory:network")).content.decode()
    assert "Net Work" not in logged_client.get(reverse("directory:network"), {"tab": "followers"}).content.decode()


def test_first_steps_card_template_tag_for_other_pages(rf, user, me):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = user
    html = Template("{% load directory_tags %}{% first_steps_card %}").render(Context({"request": request}))
    assert "A few first steps" in html
    from directory.services import do_dismiss_first_steps

    do_dismiss_first_steps(user)
    assert "first steps" not in Template("{% load directory_tags %}{% first_steps_card %}").render(
        Context({"request": request})
    )


def test_newcomer_without_profile_sees_first_steps(logged_client, user):
    assert "A few first steps" in logged_client.get(reverse("directory:index")).content.decode()


def test_hidden_mobile_is_hidden_in_experts_and_suggestions(logged_client, user, secretive):
    UserSkill.objects.create(user=secretive.user, skill=SkillFactory(name="Lockpicking"))
    unit = OrgUnitFactory()
    Profile.objects.filter(pk=secretive.pk).update(org_unit=unit)
    Profile.objects.create(user=user, org_unit=unit)
    assert "+33 6 99" not in logged_client.get(reverse("directory:experts"), {"q": "lockpicking"}).content.decode()
    assert "+33 6 99" not in logged_client.get("/api/v1/experts/", {"q": "lockpicking"}).content.decode()
    page = logged_client.get(reverse("directory:suggestions")).content.decode()
    assert "Secret Agent" in page and "+33 6 99" not in page
    assert "+33 6 99" not in logged_client.get(reverse("directory:welcome")).content.decode()


def test_old_community_activity_is_not_a_reason(user):
    from datetime import timedelta

    from django.utils import timezone

    me = person("Me", "Old")
    old = person("Old", "Friend")
    long_ago = timezone.now() - timedelta(days=400)
    Event.objects.create(actor=me.user, verb="communities.post_created", community_id=3, created_at=long_ago)
    Event.objects.create(actor=old.user, verb="communities.post_created", community_id=3, created_at=long_ago)
    assert selectors.suggest_follows(me.user) == []


def test_profile_shows_who_endorsed(logged_client, me):
    target = person("Target", "Endorsed")
    us = UserSkill.objects.create(user=target.user, skill=SkillFactory(name="SAP"))
    endorsers = _many(5)
    for p in endorsers:
        Endorsement.objects.create(user_skill=us, endorser=p.user)
    page = logged_client.get(reverse("directory:profile", args=[target.user_id])).content.decode()
    assert "5 endorsements" in page and "and 2 others" in page
    assert endorsers[0].user.display_name in page


def test_the_mobile_phone_visibility_choice_is_a_fieldset_with_a_legend(logged_client, me):
    html = logged_client.get(reverse("directory:profile_edit")).content.decode()
    group = html.split('<fieldset class="field')[1].split("</fieldset>")[0]
    assert "<legend>" in group and 'type="radio"' in group
    assert '<label for="">' not in html
