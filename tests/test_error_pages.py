"""Refusals and missing pages keep the site around them (a new user met a bare "403 Forbidden")."""

import pytest

from directory.tests.factories import person

pytestmark = pytest.mark.django_db


def test_a_refusal_says_why_inside_the_site(client):
    client.force_login(person(first_name="Eve").user)
    response = client.get("/engagement/dashboard/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'class="topbar"' in page and "Company figures are for HR" in page and "Back to the home page" in page


def test_a_missing_page_keeps_the_site_and_tells_nothing_more(client):
    client.force_login(person(first_name="Eve").user)
    response = client.get("/c/no-such-community/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'class="topbar"' in page and "Page not found" in page and "matches the given query" not in page


def test_the_pages_carry_an_icon(client):
    client.force_login(person(first_name="Eve").user)
    assert 'rel="icon"' in client.get("/").content.decode()
