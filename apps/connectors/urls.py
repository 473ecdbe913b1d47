from django.urls import path

from . import views

app_name = "connectors"

urlpatterns = [
    path("o/<slug:org_slug>/runs/", views.run_list, name="runs"),
    path("o/<slug:org_slug>/runs/<int:pk>/", views.run_detail, name="run"),
    path("o/<slug:org_slug>/runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("o/<slug:org_slug>/mappings/", views.mapping_list, name="mappings"),
    path("o/<slug:org_slug>/files/<str:sha256>/", views.source_file_download, name="source_file"),
    path("o/<slug:org_slug>/mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
]

# Vendor API credentials and pulls (apps.connectors.credential_views).
from . import credential_views  # noqa: E402

urlpatterns += [
    path("o/<slug:org_slug>/credentials/", credential_views.credential_list, name="credentials"),
    path(
        "o/<slug:org_slug>/credentials/<int:pk>/toggle/", credential_views.credential_toggle, name="credential_toggle"
    ),
    path(
        "o/<slug:org_slug>/credentials/<int:pk>/delete/", credential_views.credential_delete, name="credential_delete"
    ),
    path("o/<slug:org_slug>/credentials/<int:pk>/pull/", credential_views.credential_pull, name="credential_pull"),
]
