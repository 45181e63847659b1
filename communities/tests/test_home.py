"""The home page brings the other apps' newcomer help in: the directory's first-steps card."""

import pytest
from django.urls import reverse

from directory.tests.factories import person

pytestmark = pytest.mark.django_db


def test_a_newcomer_sees_the_first_steps_on_home_and_can_close_them(client):
    newcomer = person().user
    client.force_login(newcomer)
    page = client.get(reverse("home")).content.decode()
    assert "A few first steps" in page
    assert reverse("directory:welcome") in page

    client.post(reverse("directory:welcome_dismiss"), {"next": "/"})
    assert "A few first steps" not in client.get(reverse("home")).content.decode()


def test_first_steps_are_only_on_the_feed_tab(client):
    client.force_login(person().user)
    assert "A few first steps" not in client.get(reverse("essentials")).content.decode()
