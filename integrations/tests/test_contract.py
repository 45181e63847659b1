"""Contract test: schemathesis sends generated requests to every operation of the OpenAPI schema
(/api/v1/schema/) with an API token, a bounded number of examples each, and fails on a 500 or on an
answer that contradicts the schema. Runs in the PostgreSQL/Redis pass (the one CI runs on real
services); `DATABASE_URL=postgres://… pytest integrations/tests/test_contract.py` runs it alone."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from communities.models import Membership
from communities.services.comments import do_create_comment
from communities.services.posts import do_create_post
from communities.tests.factories import CommunityFactory, member
from directory.services import do_create_contact
from directory.tests.factories import OrgUnitFactory
from integrations.tests.factories import make_token
from integrations.tokens.models import ApiToken
from repository.tests.factories import ItemFactory, ItemTypeFactory
from rse.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=False)]
EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def contract(settings, db):
    settings.RSE_API_TOKEN_RATE = ""  # the generator sends far more than a person would
    user = UserFactory(email="contract@example.com")
    community = CommunityFactory(slug="contract")
    # The owner: the animators' endpoints answer more than a 403.
    member(community, user, role=Membership.Role.OWNER)
    # Through the services, so that counters are right: a factory's post leaves posts_count at 0,
    # and deleting it would break the counter's CHECK constraint (a 500 real data never sees).
    post = do_create_post(user, community, title="Contract", body_md="Hello")
    comment = do_create_comment(user, post, body_md="A comment")
    contact = do_create_contact(user, {"name": "Ext Ernal", "emails": ["ext@example.org"]})
    unit = OrgUnitFactory(name="Contract unit", slug="contract-unit")
    item_type = ItemTypeFactory(name="Project", slug="project")
    item = ItemFactory(item_type=item_type, external_id="P-1")
    token, raw = make_token(user, scopes=["read", "write"])
    return {
        "token": token,
        # Random slugs and ids only ever meet a 404: they are pointed at these rows.
        "known": {
            "slug": community.slug,
            "type_slug": item_type.slug,
            "external_id": item.external_id,
            "/api/v1/posts/": post.pk,
            "/api/v1/comments/": comment.pk,
            "/api/v1/contacts/": contact.pk,
            "/api/v1/org-units/": unit.pk,
            "/api/v1/people/": user.pk,
            "/api/v1/repository/items/": item.pk,
        },
        # identity: the WSGI transport hands the body over as it comes, and gzip would hide it.
        "headers": {"Authorization": f"Bearer {raw}", "Accept-Encoding": "identity"},
    }


@pytest.fixture
def api_schema(contract):
    # The WSGI app runs in the test's transaction: like Django's test client, keep the connection
    # that the end of each request would close.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_matches_its_schema_and_never_fails(case, contract):
    # A generated DELETE /tokens/{id}/ may revoke the test's own token: keep it usable.
    ApiToken.objects.filter(pk=contract["token"].pk).update(revoked_at=None)
    params, known = case.path_parameters or {}, contract["known"]
    for name in ("slug", "type_slug", "external_id"):
        if name in params:
            params[name] = known[name]
    for prefix, pk in known.items():
        if prefix.startswith("/") and case.operation.path.startswith(prefix):
            for name in ("id", "user_id"):
                if name in params:
                    params[name] = pk
    case.call_and_validate(headers=contract["headers"], checks=[not_a_server_error, response_schema_conformance])
