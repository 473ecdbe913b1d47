from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.web.health import healthz


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's policy, but for styles: its bundle sets inline styles as it draws (scripts
    stay the site's own files only)."""

    @extend_schema(exclude=True)  # a page about the API, not part of it (as drf-spectacular marks its own)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return response


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
    # Password reset by e-mail (Django's views; the mail goes through EMAIL_BACKEND, the console by default).
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("apps.api.urls")),
    path("api/v1/", include("apps.api.cost_urls")),
    # OpenAPI 3 schema of the API and Swagger UI (assets from drf-spectacular-sidecar, no CDN; its start-up script
    # served as a file of its own, as the Content-Security-Policy allows no inline script).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# Under /api/ a path that matches no route is answered in JSON like every other API error.
handler404 = "apps.api.errors.not_found"
# A multipart body Django cannot parse is answered 400 with the parser's reason (JSON under /api/).
handler400 = "apps.api.errors.bad_request"
