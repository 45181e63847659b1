import factory

from communities.models import Comment, Community, Membership, Post
from rse.accounts.tests.factories import UserFactory
from rse.lib.markdown import html_to_text, render_markdown


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    description_md = "About us"
    description_html = factory.LazyAttribute(lambda o: render_markdown(o.description_md))
    visibility = Community.Visibility.OPEN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    community = factory.SubFactory(CommunityFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Post {n}")
    body_md = "Hello **world**"
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body_md))
    body_text = factory.LazyAttribute(lambda o: html_to_text(o.body_html))


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    body_md = "A comment"
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body_md))
    body_text = factory.LazyAttribute(lambda o: html_to_text(o.body_html))


def member(community, user=None, role=Membership.Role.MEMBER, status=Membership.Status.ACTIVE):
    user = user or UserFactory()
    Membership.objects.create(community=community, user=user, role=role, status=status)
    if status == Membership.Status.ACTIVE:
        Community.objects.filter(pk=community.pk).update(
            members_count=community.memberships.filter(status=status).count()
        )
    return user
