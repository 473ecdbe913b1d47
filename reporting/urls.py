from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.web.health import healthz

# Organisation pages live under o/<org_slug>/ and go through apps.accounts.tenancy.org_view.
urlpatterns = [
    path("", include("apps.web.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.connectors.urls")),
    path("", include("apps.disclosures.urls")),
    path("", include("apps.footprint.urls")),
    path("", include("apps.costs.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("apps.api.urls")),
    path("api/v1/", include("apps.api.cost_urls")),
    # OpenAPI 3 schema of the API and Swagger UI (assets from drf-spectacular-sidecar, no CDN).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# Under /api/ a path that matches no route is answered in JSON like every other API error.
handler404 = "apps.api.errors.not_found"
# A multipart body Django cannot parse is answered 400 with the parser's reason (JSON under /api/).
handler400 = "apps.api.errors.bad_request"
