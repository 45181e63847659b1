from integrations.tokens.services import do_create_service_account, do_create_token
from rse.accounts.tests.factories import UserFactory


def admin_user(**kwargs):
    return UserFactory(is_staff=True, is_superuser=True, **kwargs)


def make_token(user, scopes=("read", "write"), name="script", **kwargs):
    """(token row, raw value) for `user`, created as an administrator would when scim is asked."""
    actor = admin_user() if "scim" in scopes or kwargs.get("service_account") else user
    return do_create_token(actor, name=name, scopes=list(scopes), **kwargs)


def make_service_account(name="CRM connector"):
    return do_create_service_account(admin_user(), name=name)


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
