from django.urls import path

from . import views

app_name = "connectors"

urlpatterns = [
    path("o/<slug:org_slug>/runs/", views.run_list, name="runs"),
    path("o/<slug:org_slug>/runs/<int:pk>/", views.run_detail, name="run"),
    path("o/<slug:org_slug>/runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("o/<slug:org_slug>/mappings/", views.mapping_list, name="mappings"),
    path("o/<slug:org_slug>/mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
]

