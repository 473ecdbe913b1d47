"""How the isolation matrix (test_isolation_matrix.py) classifies the routes: the tables of public, per-user and
admin routes, the object kind behind each <int:pk>, the fillers of the other parameters, and the routes
discovered from the URL configuration."""

import re
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver

SAFE_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PAGE_METHODS = (*SAFE_METHODS, *WRITE_METHODS)
API_METHODS = (*PAGE_METHODS, "OPTIONS")

# Routes anyone may call, and why. A new route outside /o/<org_slug>/ must be added here or to USER_ROUTES.
PUBLIC_ROUTES = {
    "login": "the login form itself",
    "logout": "ends the caller's own session, if any",
    "set_language": "stores the chosen language in a cookie; no data",
    "healthz": "load balancers probe it; database and broker status only",
    "api-schema": "the OpenAPI document; describes the API, holds no organisation data",
    "api-docs": "Swagger UI over that schema",
    "admin:login": "the admin site's login form",
    "password_reset": "asks for a reset mail; answers the same whether the e-mail is known or not",
    "password_reset_done": "says a mail may have been sent; no data",
    "password_reset_confirm": "sets a new password only with the signed, single-use token of the mail",
    "password_reset_complete": "says the password was set; no data",
}
# Routes for any signed-in user about their own account (no organisation in the URL), and why.
USER_ROUTES = {
    "web:home": "redirects to the user's own organisation or lists the user's memberships",
    "accounts:tokens": "the user's own API tokens",
    "accounts:token_revoke": "revokes one of the user's own tokens (others' are 404)",
    "api:organisations": "the organisations the caller belongs to",
    "api:sources": "the list of connectors; no organisation data",
    "api:estimate": "a computation with the built-in factor set; stores nothing",
}
# The staff-only Django admin: every route but its login sends non-staff callers to the admin login.
ADMIN_NAMESPACE = "admin"

# For each route with <int:pk>: the object kind its view fetches (see matrix_objects.build_org).
PK_KINDS = {
    "accounts:team_delete": "team",
    "accounts:person_edit": "person",
    "accounts:person_delete": "person",
    "accounts:token_revoke": "api_token",
    "api:team_detail": "team",
    "api:run": "run",
    "api:mapping": "mapping",
    "api:period": "period",
    "api:disclosure": "period",
    "api:sign_off": "period",
    "api:period_status": "period",
    "api:export": "period",
    "connectors:run": "run",
    "connectors:run_status": "run",
    "connectors:mapping_delete": "mapping",
    "connectors:credential_toggle": "credential",
    "connectors:credential_delete": "credential",
    "connectors:credential_pull": "credential",
    "disclosures:period": "period",
    "disclosures:period_inputs": "period",
    "disclosures:period_review": "period",
    "disclosures:period_sign_off": "period",
    "disclosures:period_status": "period",
    "disclosures:period_reopen": "period",
    "disclosures:period_export": "period",
    "footprint:instrument_delete": "instrument",
}
# Other path parameters and the value they take (an export format every export route knows).
FILLERS = {"fmt": "csv", "uidb64": "MQ", "token": "not-a-reset-token"}  # (a reset link that is not valid)
ADMIN_FILLERS = {"app_label": "accounts", "object_id": "1", "id": "1", "content_type_id": "1", "url": "no-such-page/"}
# The one write on a signed-off period that succeeds: reopening creates a new version, the old one stays.
RESTATEMENT_ROUTES = {"disclosures:period_reopen"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route text when the pattern has no name
    route: str  # e.g. "o/<slug:org_slug>/teams/<int:pk>/delete/"
    params: tuple
    namespace: str = ""

    def __str__(self):
        return self.name

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def methods(self) -> tuple:
        return API_METHODS if self.is_api else PAGE_METHODS

    def url(self, values: dict) -> str:
        """The path with each parameter replaced by its value (route converters and regex groups alike)."""
        text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.route)
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), text)
        return "/" + text.replace("^", "").replace("$", "")


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            continue
        route = prefix + str(pattern.pattern)
        name = (f"{namespace}:{pattern.name}" if namespace else pattern.name) if pattern.name else route
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route))
        yield Route(name, route, tuple(a or b for a, b in params), namespace.split(":")[0])


def discover_routes() -> list[Route]:
    """Every URL pattern of the project, with its full route text and parameters."""
    return list(_walk(get_resolver().url_patterns))


ROUTES = discover_routes()
ORG_ROUTES = [r for r in ROUTES if "org_slug" in r.params]
USER = [r for r in ROUTES if r.name in USER_ROUTES]
PUBLIC = [r for r in ROUTES if r.name in PUBLIC_ROUTES]
ADMIN = [r for r in ROUTES if r.namespace == ADMIN_NAMESPACE and r.name not in PUBLIC_ROUTES]
IDS = str
