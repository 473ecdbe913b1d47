"""The project's URLs plus the cost app's, until reporting/urls.py includes them (then nothing is added)."""

from django.urls import include, path

from reporting.urls import urlpatterns as project_patterns

_namespaces = {getattr(p, "namespace", None) for p in project_patterns}
_api = [p for p in project_patterns if str(p.pattern) == "api/v1/"]
_extra = []
if "costs" not in _namespaces:
    _extra.append(path("", include("apps.costs.urls")))
if (
    not any("costs_api" in {getattr(q, "namespace", None) for q in getattr(p, "url_patterns", [])} for p in _api)
    and "costs_api" not in _namespaces
):
    _extra.append(path("api/v1/", include("apps.costs.api_urls")))
urlpatterns = [*project_patterns, *_extra]
