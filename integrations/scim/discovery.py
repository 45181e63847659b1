"""ServiceProviderConfig, Schemas and ResourceTypes (RFC 7643 §5-7, RFC 7644 §4): what this
server supports, so that a provider configures itself."""

from integrations.scim.groups import GROUP_SCHEMA
from integrations.scim.users import ENTERPRISE, USER_SCHEMA

MAX_RESULTS = 200


def _attr(name, type_="string", required=False, multi=False, mutability="readWrite", uniqueness="none", **extra):
    return {
        "name": name,
        "type": type_,
        "multiValued": multi,
        "required": required,
        "caseExact": False,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": uniqueness,
        **extra,
    }


def service_provider_config(base) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": f"{base}/developers/api/",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "API token",
                "description": "An API token with the scim scope, created by an administrator: Authorization: Bearer <token>.",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base}/scim/v2/ServiceProviderConfig"},
    }


def schemas(base) -> list[dict]:
    user = {
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A person: account and directory profile.",
        "attributes": [
            _attr("userName", required=True, uniqueness="server"),
            _attr("externalId"),
            _attr(
                "name",
                "complex",
                subAttributes=[_attr("givenName"), _attr("familyName"), _attr("formatted", mutability="readOnly")],
            ),
            _attr("displayName", mutability="readOnly"),
            _attr("title"),
            _attr("active", "boolean"),
            _attr(
                "emails",
                "complex",
                multi=True,
                subAttributes=[_attr("value"), _attr("type"), _attr("primary", "boolean")],
            ),
        ],
    }
    enterprise = {
        "id": ENTERPRISE,
        "name": "EnterpriseUser",
        "description": "Enterprise extension: the employee number is the HR sync's employee id.",
        "attributes": [_attr("employeeNumber", uniqueness="server")],
    }
    group = {
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "An org unit of the directory; its members are the people in it.",
        "attributes": [
            _attr("displayName", required=True),
            _attr("members", "complex", multi=True, subAttributes=[_attr("value", mutability="immutable"),
                                                                    _attr("display", mutability="readOnly")]),
        ],
    }  # fmt: skip
    for schema in (user, enterprise, group):
        schema["schemas"] = ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
        schema["meta"] = {"resourceType": "Schema", "location": f"{base}/scim/v2/Schemas/{schema['id']}"}
    return [user, enterprise, group]


def resource_types(base) -> list[dict]:
    return [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/scim/v2/ResourceTypes/User"},
        },
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "schema": GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": f"{base}/scim/v2/ResourceTypes/Group"},
        },
    ]
