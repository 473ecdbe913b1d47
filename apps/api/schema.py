"""How the OpenAPI schema describes this API beyond what drf-spectacular reads from the views: its token
authentication, the error answers of every operation, and the query parameters several operations share.
The worked examples are in apps.api.examples."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "afl_… (a personal API token)",
            "description": "A personal API token, created on the API tokens page: `Authorization: Bearer afl_…`",
        }


# ---- Error answers (issue 8: found by fuzzing the API with schemathesis) --------------------------------------------
# drf-spectacular documents only the success answer; DRF also answers these, each with a JSON body, and a client
# (or a schema-driven fuzzer) needs them in the schema. Added to every operation where they can happen.
ERROR = {  # the component apps.api.serializers.ErrorSerializer gives, when a view names it
    "type": "object",
    "description": 'Why a request was refused (DRF\'s `{"detail": …}`).',
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": {},
    "description": "The request's invalid fields, each with its messages (`non_field_errors` for the whole body).",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _error(description: str, component: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": component}}}}


# DRF's CharField refuses a NUL character (PostgreSQL cannot store one): said in the schema of every string a body
# sends, so a schema-valid request is one the API accepts (issue 19: schemathesis drew a sign-off comment with one).
NO_NUL = "^[^\\x00]*$"


def _forbid_nul(schemas: dict) -> None:
    for name, component in schemas.items():
        if not name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            if (
                prop.get("type") == "string"
                and not ({"format", "enum", "pattern"} & set(prop))
                and not prop.get("readOnly")
            ):
                prop["pattern"] = NO_NUL


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the 400/401/403/404/413/415 answers of each operation, and no NUL in
    the strings of a request body."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    _forbid_nul(schemas)
    schemas.setdefault("Error", ERROR)
    schemas["ValidationError"] = VALIDATION_ERROR
    error, invalid = "#/components/schemas/Error", "#/components/schemas/ValidationError"
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            query = set()
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    query.add(parameter["name"])
                    if not parameter.get("required"):  # DRF, the filters and the paginator read `?start=` as absent
                        parameter.setdefault("allowEmptyValue", True)
            if {} not in operation.get("security", [{}]):
                responses.setdefault("401", _error("No valid token or session.", error))
            if method in WRITE_METHODS:
                # A read-only role (auditor), a refused deletion, or a session request without its CSRF token.
                responses.setdefault("403", _error("Not allowed for this role.", error))
            if "{" in path or query & {"page", "cursor"}:
                responses.setdefault("404", _error("No such organisation (for this user), object or page.", error))
            if "requestBody" in operation or query - {"page", "cursor"}:
                responses.setdefault("400", _error("Invalid fields or query parameters.", invalid))
            if "requestBody" in operation:
                responses.setdefault("413", _error("The body is larger than the server accepts.", error))
                responses.setdefault("415", _error("The body is not in a media type this operation reads.", error))
    return result


# ---- Query parameters shared by several operations -----------------------------------------------------------------

FILTER_PARAMETERS = [  # the dashboard's filters (apps.disclosures.filters.parse_filters)
    OpenApiParameter(
        "period",
        # At most 18 digits, as the API checks (issue 19: a 28-digit id was schema-valid, then refused).
        {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
        description="A reporting period's id (digits): its dates are the range.",
    ),
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        description="First day (default: the latest reporting period's start, else twelve months ago).",
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (default: the latest period's end, else today)."),
    OpenApiParameter("team", str, description="A team id, or `none` for records attributed to no team."),
    OpenApiParameter("source", str, description="A source key, e.g. `openai_usage`."),
    OpenApiParameter("provider", str, description="e.g. `openai`, `anthropic`."),
    OpenApiParameter("model", str, description="e.g. `gpt-4o`."),
]
WINDOW_PARAMETERS = [  # the cost endpoints' window (apps.costs.window.window_for)
    OpenApiParameter("start", OpenApiTypes.DATE, description="first day (default: the latest reporting period)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="last day"),
]
