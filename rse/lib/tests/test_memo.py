"""{% memo %} fragments (rse/lib/memo.py): one rendering per language and arguments, this request's
CSRF token in each copy, and a fragment that reads more than its arguments caught in the tests."""

import re

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from rse.accounts.tests.factories import UserFactory
from rse.lib.memo import MemoMismatch

pytestmark = pytest.mark.django_db


def _render(template, request, **context):
    return template.render(RequestContext(request, context))


@pytest.fixture
def request_factory():
    def make():
        from django.middleware.csrf import get_token

        request = RequestFactory().get("/")
        get_token(request)
        return request

    return make


def test_rendered_once_per_language_and_arguments_with_each_request_token(settings, request_factory):
    settings.RSE_TEMPLATE_MEMO_CHECK = False
    template = Template(
        "{% load i18n memo %}{% memo staff %}{% translate 'Log out' %}{% if staff %} admin{% endif %}"
        "{% csrf_token %}{% endmemo %}"
    )
    first, second = request_factory(), request_factory()
    a = _render(template, first, staff=False)
    b = _render(template, second, staff=False)
    tokens = [re.search(r'value="([^"]+)"', html).group(1) for html in (a, b)]
    assert tokens[0] != tokens[1]  # each request its own masked token, never the placeholder
    assert "rseMemo" not in a + b
    assert "admin" not in a and "admin" in _render(template, first, staff=True)
    with translation.override("fr"):
        assert "Se déconnecter" in _render(template, first, staff=False)
    assert "Log out" in _render(template, first, staff=False)
    assert len(template.nodelist[1].rendered) == 3  # (en, False), (en, True), (fr, False)


def test_a_fragment_reading_more_than_its_arguments_fails_when_checked(settings, request_factory):
    settings.RSE_TEMPLATE_MEMO_CHECK = True
    template = Template("{% load memo %}{% memo %}{{ name }}{% endmemo %}")
    _render(template, request_factory(), name="Ada")
    with pytest.raises(MemoMismatch):
        _render(template, request_factory(), name="Grace")


def test_without_a_request_token_rendered_as_is(settings):
    settings.RSE_TEMPLATE_MEMO_CHECK = False
    template = Template("{% load memo %}{% memo %}{{ name }}{% endmemo %}")
    assert template.render(Context({"name": "Ada"})) == "Ada"
    assert template.render(Context({"name": "Grace"})) == "Grace"


def test_menus_follow_the_viewer(client, settings):
    """The shell's memo fragments as two different people see them, on the same process."""
    settings.RSE_TEMPLATE_MEMO_CHECK = False
    staff, plain = UserFactory(is_staff=True, is_superuser=True), UserFactory()
    client.force_login(plain)
    page = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") not in page and reverse("integrations:webhooks") not in page
    client.force_login(staff)
    page = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") in page and reverse("integrations:webhooks") in page
    client.force_login(plain)
    page = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") not in page and reverse("integrations:webhooks") not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert len(token) == 64
