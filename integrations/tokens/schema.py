"""The OpenAPI schema names the bearer scheme (and Basic) so clients and schemathesis know how to
authenticate; imported by the app's ready()."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.tokens.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`rse_…`) from the API tokens page: `Authorization: Bearer <token>`.",
        }


class LimitedBasicScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.tokens.authentication.LimitedBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic", "description": "Service accounts only, when the server allows it."}
