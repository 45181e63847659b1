"""HTTP Basic on the API (issue 13 hole 7 with issue 12's setting): people's passwords never work
there, and where service accounts may use it, failures count towards the login limits."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from integrations.tokens.models import ServiceAccount
from rse.accounts.tests.factories import UserFactory
from rse.accounts.tests.test_limits import PASSWORD, basic, login

pytestmark = [pytest.mark.django_db, pytest.mark.real_limits]


def test_a_persons_password_never_opens_the_api_by_default():
    person = UserFactory()
    response = APIClient().get("/api/v1/people/", HTTP_AUTHORIZATION=basic(person.email, PASSWORD))
    assert response.status_code == 401 and "results" not in response.json()


def test_http_basic_on_the_api_is_under_the_same_limit(settings):
    settings.RSE_API_BASIC_AUTH = "service_accounts"
    victim = UserFactory()
    ServiceAccount.objects.create(user=victim, name="CRM connector")
    api = APIClient()
    assert api.get("/api/v1/people/", HTTP_AUTHORIZATION=basic(victim.email, PASSWORD)).status_code == 200
    for n in range(30):
        api.get("/api/v1/people/", HTTP_AUTHORIZATION=basic(victim.email, f"guess-{n}"))
    response = api.get("/api/v1/people/", HTTP_AUTHORIZATION=basic(victim.email, PASSWORD))
    assert response.status_code == 429 and int(response["Retry-After"]) > 60
    assert "results" not in response.json()
    # The same limit whichever door counted the failures.
    assert login(Client(), victim.email, PASSWORD).status_code == 429
