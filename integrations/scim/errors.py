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
