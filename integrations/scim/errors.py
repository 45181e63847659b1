from django.utils.translation import gettext as _


class ScimError(Exception):
    """An error answered in SCIM's format (RFC 7644 §3.12)."""

    def __init__(self, status, detail, scim_type=None):
        super().__init__(detail)
        self.status = status
        self.detail = str(detail)
        self.scim_type = scim_type


def error_body(status, detail, scim_type=None) -> dict:
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status), "detail": str(detail)}
    if scim_type:
        body["scimType"] = scim_type
    return body


def patch_operations(body):
    """The (op, path, value) of each operation of a PATCH body (RFC 7644 §3.5.2), validated as
    Entra ID and Okta send them: op names in any case, path absent or a string."""
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list) or not body["Operations"]:
        raise ScimError(400, _("A PATCH needs a list of Operations."), "invalidSyntax")
    for operation in body["Operations"]:
        if not isinstance(operation, dict):
            raise ScimError(400, _("Each operation must be an object."), "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        path = operation.get("path")
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, _("Unknown PATCH op: %(op)s.") % {"op": operation.get("op")}, "invalidSyntax")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, _("“path” must be a string."), "invalidPath")
        yield op, path, operation.get("value")
