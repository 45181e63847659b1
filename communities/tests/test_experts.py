"""Accepted answers count in the directory's expert finder, but only where everyone may read."""

import pytest

from communities import services
from communities.models import Community, Post
from communities.tests.factories import CommunityFactory, member
from directory.selectors import find_experts
from directory.tests.factories import person
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _answered_question(community, asker, answerer, title):
    question = services.do_create_post(asker, community, kind=Post.Kind.QUESTION, title=title, body_md="Anyone?")
    answer = services.do_create_comment(answerer, question, body_md="Here is how we do it.")
    services.do_accept_answer(asker, question, answer)


def test_accepted_answers_make_someone_an_expert_with_a_reason(user):
    open_community = CommunityFactory(visibility=Community.Visibility.OPEN)
    asker, answerer = member(open_community, person().user), member(open_community, person().user)
    _answered_question(open_community, asker, answerer, "Kaizen boards on the shop floor?")
    _answered_question(open_community, asker, answerer, "Best kaizen training?")

    experts = find_experts(user, "kaizen")

    assert [e.profile.user_id for e in experts] == [answerer.pk]
    assert experts[0].reasons == ["2 accepted answers about “kaizen”"]


def test_answers_in_a_private_community_reveal_nothing(user):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    asker, answerer = member(private, person().user), member(private, person().user)
    _answered_question(private, asker, answerer, "Kaizen for the acquisition?")

    assert find_experts(user, "kaizen") == []
    assert find_experts(UserFactory(), "kaizen") == []
