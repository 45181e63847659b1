import re

import pytest
from django.core import mail
from django.urls import reverse

from rse.accounts.models import User
from rse.accounts.roles import Role, has_role, is_administrator
from rse.accounts.services import do_grant_role, do_revoke_role
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_by_email_case_insensitive_then_logout(client):
    UserFactory(email="helene.dupre@example.com", first_name="Hélène")
    response = client.post(reverse("login"), {"username": "Helene.Dupre@Example.com", "password": "pass-word-123"})
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Hélène" in home.content.decode()

    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_reshows_form_with_error(client):
    UserFactory(email="a@example.com")
    response = client.post(reverse("login"), {"username": "a@example.com", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client):
    UserFactory(email="leaver@example.com", is_active=False)
    response = client.post(reverse("login"), {"username": "leaver@example.com", "password": "pass-word-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_flow_sets_a_new_password(client):
    user = UserFactory(email="reset@example.com")
    response = client.post(reverse("password_reset"), {"email": "reset@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "A-much-better-pass-42", "new_password2": "A-much-better-pass-42"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("A-much-better-pass-42")
    # The link works once only.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_for_unknown_address_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change_requires_the_old_password(client):
    user = UserFactory()
    client.force_login(user)
    bad = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Another-pass-77", "new_password2": "Another-pass-77"},
    )
    assert bad.status_code == 200 and bad.context["form"].errors
    good = client.post(
        reverse("password_change"),
        {"old_password": "pass-word-123", "new_password1": "Another-pass-77", "new_password2": "Another-pass-77"},
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-pass-77")


def test_roles_exist_and_administrator_role_opens_the_admin(client):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    user = UserFactory()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    do_grant_role(user, Role.ADMINISTRATOR)
    user = User.objects.get(pk=user.pk)
    assert is_administrator(user) and has_role(user, Role.ADMINISTRATOR)
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    do_revoke_role(user, Role.ADMINISTRATOR)
    user = User.objects.get(pk=user.pk)
    assert not is_administrator(user)


def test_language_switcher_serves_french(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="fr">' in page
    assert "Se déconnecter" in page


@pytest.mark.parametrize(
    "backend", ["rse.accounts.throttling.LoginThrottleBackend", "rse.accounts.backends.EmailBackend"]
)
def test_the_session_user_is_read_again_on_every_request_and_a_deactivated_one_signed_out(client, backend):
    """The backends' get_user runs a precompiled statement: still the current row on each request."""
    user = UserFactory(first_name="Ada")
    client.force_login(user, backend=backend)
    assert client.get("/").status_code == 200
    User.objects.filter(pk=user.pk).update(first_name="Grace")  # no signal, no save
    assert "Grace" in client.get("/").content.decode()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/").status_code == 302  # signed out, to the login page


def test_roles_are_the_groups_of_this_user(db):
    from django.contrib.auth.models import Group

    from rse.accounts.roles import role_names

    comms, hr = (
        Group.objects.get_or_create(name=Role.INTERNAL_COMMS.value)[0],
        Group.objects.get_or_create(name=Role.HR_ANALYST.value)[0],
    )
    alice, bob = UserFactory(), UserFactory()
    alice.groups.add(comms)
    bob.groups.add(hr, comms)
    assert role_names(alice) == {Role.INTERNAL_COMMS.value}
    assert role_names(UserFactory.build(pk=bob.pk)) == {Role.INTERNAL_COMMS.value, Role.HR_ANALYST.value}


def test_the_session_user_comes_with_its_roles(client, django_assert_num_queries):
    """has_role() on the signed-in user runs no query: the user's row brings one flag per role."""
    from django.contrib.auth import get_user
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=Role.INTERNAL_COMMS.value)[0])
    user.groups.add(Group.objects.get_or_create(name="Readers of Orion")[0])  # a group that is no role
    client.force_login(user, backend="rse.accounts.backends.EmailBackend")
    request = client.get("/").wsgi_request
    request.session = client.session
    with django_assert_num_queries(1):  # the user, with its roles
        signed_in = get_user(request)
        assert has_role(signed_in, Role.INTERNAL_COMMS) and not has_role(signed_in, Role.HR_ANALYST)
    do_revoke_role(signed_in, Role.INTERNAL_COMMS)
    assert not has_role(signed_in, Role.INTERNAL_COMMS)
    assert not has_role(get_user(request), Role.INTERNAL_COMMS)  # the next request reads it again
