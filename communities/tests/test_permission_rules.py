"""Each permission rule lives once, in communities/permissions.py, as a predicate and (where a
list needs it) a queryset. These tests hold the two forms of a rule to the same answer on a
matrix of people × communities, and check that the pages, the prefetch flags and the services
read the rule instead of re-deriving it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from communities import permissions as perms
from communities import selectors, services
from communities.models import Community, Membership, Poll, Post
from communities.prefetch import annotate_posts_for_viewer
from communities.services.common import readers_among
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from rse.accounts.models import User
from rse.accounts.tests.factories import UserFactory

V = Community.Visibility
S = Membership.Status
R = Membership.Role

COMMUNITY_KINDS = {
    "open": {"visibility": V.OPEN},
    "restricted": {"visibility": V.RESTRICTED},
    "private": {"visibility": V.PRIVATE},
    "secret": {"visibility": V.SECRET},
    "archived private": {"visibility": V.PRIVATE, "archived_at": "now"},
    "deleted open": {"visibility": V.OPEN, "deleted_at": "now"},
}
# How each person stands towards every community of the matrix.
PEOPLE = (
    "outsider", "member", "removed", "pending", "invited", "animator", "owner", "site admin", "departed",
    "departed animator",
)  # fmt: skip


def _community(kind):
    fields = {k: (timezone.now() if v == "now" else v) for k, v in COMMUNITY_KINDS[kind].items()}
    return CommunityFactory(**fields)


def _person(who, community, owner):
    if who == "site admin":  # an administrator of the site, not of this community
        return UserFactory(is_superuser=True, is_staff=True)
    person = UserFactory()
    if who == "member" or who == "departed":
        member(community, person)
    elif who == "removed":
        member(community, person)
        services.do_remove_member(owner, Membership.objects.get(community=community, user=person))
    elif who in ("pending", "invited"):
        member(community, person, status=S.PENDING if who == "pending" else S.INVITED)
    elif who in ("animator", "owner", "departed animator"):
        member(community, person, role=R.OWNER if who == "owner" else R.ANIMATOR)
    if who.startswith("departed"):
        person.is_active = False
        person.save(update_fields=["is_active"])
    return person


@pytest.fixture
def matrix(db):
    """[(kind, community, who, person)] for every community kind × every kind of person."""
    rows = []
    for kind in COMMUNITY_KINDS:
        community = _community(kind)
        owner = member(community, role=R.OWNER)
        rows += [(kind, community, who, _person(who, community, owner)) for who in PEOPLE]
    return rows


# What the rule says, written out once more by hand so that a change to it is a decision.
READS = {
    "open": {"outsider", "member", "pending", "invited", "animator", "owner", "removed", "site admin"},
    "restricted": {"outsider", "member", "pending", "invited", "animator", "owner", "removed", "site admin"},
    "private": {"member", "animator", "owner"},
    "secret": {"member", "animator", "owner"},
    "archived private": {"member", "animator", "owner"},
    "deleted open": set(),
}


def test_who_may_read_a_community_agrees_in_every_form(matrix):
    for kind, community, who, person in matrix:
        predicate = perms.can_read_community(person, community)
        assert predicate == (who in READS[kind]), (kind, who)
    people = [person for _kind, _community, _who, person in matrix]
    communities = {community.pk: community for _kind, community, _who, _person in matrix}.values()
    everyone = [person.pk for person in people]
    for person in people:  # every person against every community, strangers included
        readable = set(perms.readable_communities(person).values_list("pk", flat=True))
        assert readable == {c.pk for c in communities if perms.can_read_community(person, c)}, person
        assert set(selectors.visible_communities(person).values_list("pk", flat=True)) == readable
    for community in communities:
        by_predicate = {p.pk for p in people if perms.can_read_community(p, community)}
        assert set(perms.readers_of(community).filter(pk__in=everyone).values_list("pk", flat=True)) == by_predicate
        assert set(readers_among(everyone, community)) == by_predicate


def test_who_may_know_a_community_exists_agrees_in_every_form(matrix):
    for kind, community, who, person in matrix:
        predicate = perms.can_see_community(person, community)
        assert perms.seeable_communities(person).filter(pk=community.pk).exists() == predicate, (kind, who)
        assert selectors.listed_communities(person).filter(pk=community.pk).exists() == predicate
        if kind == "secret":
            assert predicate == (who in {"member", "invited", "animator", "owner"}), who


def test_who_may_moderate_agrees_in_every_form(matrix):
    everyone = list(User.objects.all())  # the owner each community was made with included
    for kind, community, who, person in matrix:
        assert perms.can_moderate(person, community) == (who in ("animator", "owner")), (kind, who)
    for community in {c.pk: c for _k, c, _w, _p in matrix}.values():
        by_predicate = {p.pk for p in everyone if perms.can_moderate(p, community)}
        assert set(perms.moderators_of(community).values_list("pk", flat=True)) == by_predicate
        assert set(perms.moderators_of(community.pk).values_list("pk", flat=True)) == by_predicate


def test_mention_suggestions_are_the_readers_of_the_community(matrix, client):
    community, asker = next((c, p) for kind, c, who, p in matrix if kind == "private" and who == "member")
    client.force_login(asker)
    everyone = {person for _k, c, _w, person in matrix if c.pk == community.pk}
    offered = set()
    for person in everyone:
        html = client.get(reverse("mention_autocomplete"), {"q": person.email, "community": community.slug})
        if 'role="option"' in html.content.decode():
            offered.add(person.pk)
    readers = set(perms.readers_of(community).filter(pk__in=[p.pk for p in everyone]).values_list("pk", flat=True))
    assert offered == readers
    assert len(readers) == 3  # the member, the animator, the owner (not the removed nor the departed)


def test_prefetch_flags_are_the_predicates(matrix):
    for kind, community, who, person in matrix:
        if community.deleted_at:
            continue
        author = community.memberships.filter(role=R.OWNER).order_by("pk").first().user
        question = PostFactory(community=community, author=author, kind=Post.Kind.QUESTION, requires_ack=True)
        own = PostFactory(community=community, author=person)
        poll = PostFactory(community=community, author=author, kind=Post.Kind.POLL)
        Poll.objects.create(post=poll)
        posts = annotate_posts_for_viewer(person, Post.objects.filter(pk__in=[question.pk, own.pk, poll.pk]))
        for post in posts:
            membership = perms.get_membership(person, community)
            assert post.can_see_acks == perms.can_see_read_receipts(person, post, membership), (kind, who)
            assert post.can_see_results == (
                post.kind == Post.Kind.POLL and perms.can_see_poll_results(person, post, has_voted=False)
            )
            assert post.can_react == perms.can_react(person, community, membership), (kind, who)
            assert post.can_comment == perms.can_comment(person, community, membership)
            assert post.can_accept == perms.can_accept_answer(person, post, membership), (kind, who)
            assert post.can_delete == perms.can_delete_content(person, post, community, membership)
            assert post.can_edit == perms.can_edit_content(person, post)
        by_id = {p.pk: p for p in posts}
        assert by_id[poll.pk].can_see_results is False  # nobody voted, open, not the author
        if who in ("animator", "owner"):
            assert by_id[question.pk].can_accept and by_id[question.pk].can_delete
            assert by_id[question.pk].can_see_acks
        if who in ("outsider", "member") and kind != "deleted open":
            assert not by_id[question.pk].can_accept and not by_id[question.pk].can_delete
        assert by_id[own.pk].can_delete == (not who.startswith("departed"))


def test_member_removal_and_roles_follow_the_predicates_on_page_and_in_service(db, client):
    community = CommunityFactory(visibility=V.PRIVATE)
    owner = member(community, role=R.OWNER)
    animator = member(community, role=R.ANIMATOR)
    plain = member(community)
    co_owner = member(community, role=R.OWNER)
    invited = member(community, status=S.INVITED)
    people = {"owner": owner, "animator": animator, "member": plain, "co-owner": co_owner, "invited": invited}
    expected = {
        "owner": {"animator", "member", "co-owner", "invited"},
        "animator": {"member", "invited"},
        "member": set(),
    }
    for actor_name, may_remove in expected.items():
        actor = people[actor_name]
        client.force_login(actor)
        html = client.get(reverse("community_members", args=[community.slug])).content.decode()
        for target_name, target in people.items():
            membership = Membership.objects.get(community=community, user=target)
            allowed = perms.can_remove_member(actor, membership)
            assert allowed == (target_name in may_remove), (actor_name, target_name)
            form = reverse("membership_action", args=[membership.pk, "remove"])
            assert (form in html) == allowed, (actor_name, target_name)
    for actor_name, may_change in {"owner": {"animator", "member", "co-owner"}, "animator": set()}.items():
        actor = people[actor_name]
        client.force_login(actor)
        html = client.get(reverse("community_members", args=[community.slug])).content.decode()
        for target_name, target in people.items():
            membership = Membership.objects.get(community=community, user=target)
            allowed = perms.can_change_role_of(actor, membership)
            assert allowed == (target_name in may_change), (actor_name, target_name)
            form = reverse("membership_action", args=[membership.pk, "role"])
            assert (form in html) == allowed, (actor_name, target_name)
    with pytest.raises(PermissionDenied):
        services.do_set_member_role(owner, Membership.objects.get(community=community, user=owner), R.MEMBER)
    with pytest.raises(PermissionDenied):
        services.do_remove_member(animator, Membership.objects.get(community=community, user=animator))
    with pytest.raises(PermissionDenied):
        services.do_remove_member(animator, Membership.objects.get(community=community, user=co_owner))


def test_delete_buttons_follow_the_predicate(db, client):
    community = CommunityFactory(visibility=V.OPEN)
    animator = member(community, role=R.ANIMATOR)
    author = member(community)
    reader = member(community)
    post = PostFactory(community=community, author=author)
    comment = CommentFactory(post=post, author=reader)
    delete_post = reverse("post_delete", args=[post.pk])
    delete_comment = reverse("comment_delete", args=[comment.pk])
    for person, (may_delete_post, may_delete_comment) in [
        (animator, (True, True)),
        (author, (True, False)),
        (reader, (False, True)),
    ]:
        client.force_login(person)
        html = client.get(reverse("post_detail", args=[post.pk])).content.decode()
        assert (delete_post in html) == may_delete_post == perms.can_delete_content(person, post, community)
        assert (delete_comment in html) == may_delete_comment == perms.can_delete_content(person, comment, community)
