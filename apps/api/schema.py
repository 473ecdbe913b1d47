"""drf-spectacular extensions: how the schema describes this API's own authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "afl_… (a personal API token)",
                "description": "A personal API token, created on the API tokens page: `Authorization: Bearer afl_…`"}
