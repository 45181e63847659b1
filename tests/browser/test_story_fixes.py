"""Regression tests for the small bugs found while walking through the stories (no browser)."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse


class _HelpedForm(forms.Form):
    file = forms.FileField(label="File", help_text="A CSV file.")


def test_form_help_text_is_the_element_the_field_is_described_by():
    html = render_to_string("partials/form.html", {"form": _HelpedForm()})
    described_by = re.search(r'aria-describedby="([^"]+)"', html).group(1)
    assert f'id="{described_by}"' in html
    assert re.search(rf'<p class="help" id="{described_by}">A CSV file.</p>', html)


@pytest.mark.django_db
def test_item_conversations_link_to_the_post_page(logged_client, user):
    from communities.services.posts import do_create_post
    from communities.tests.factories import CommunityFactory, member
    from repository.tests.factories import ItemFactory

    item = ItemFactory(name="Bretagne Composites")
    community = CommunityFactory()
    member(community, user)
    post = do_create_post(user, community, title="Visit", body_md="See [[Bretagne Composites]].")
    html = logged_client.get(reverse("item_conversations", args=[item.pk])).content.decode()
    assert f'href="{reverse("post_detail", args=[post.pk])}"' in html
    assert 'href="#post-' not in html  # the item page has no such anchor


@pytest.mark.django_db
def test_the_demo_has_conversations_about_a_customer(django_user_model):
    from django.core.management import call_command

    from communities.models import Post

    call_command("seed_demo")
    assert Post.objects.filter(items__item_type__slug="customer").exists()


@pytest.mark.django_db
def test_the_answer_box_of_a_question_is_labelled_as_an_answer(logged_client, user):
    from communities.services.posts import do_create_post
    from communities.tests.factories import CommunityFactory, member

    community = CommunityFactory()
    member(community, user)
    question = do_create_post(user, community, kind="question", title="Why?")
    discussion = do_create_post(user, community, title="Hello")
    assert "Your answer" in logged_client.get(reverse("post_detail", args=[question.pk])).content.decode()
    assert "Your comment" in logged_client.get(reverse("post_detail", args=[discussion.pk])).content.decode()
