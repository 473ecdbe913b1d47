from django.urls import path

from . import views

app_name = "footprint"

urlpatterns = [
    path("o/<slug:org_slug>/factors/", views.factor_sets, name="factor_sets"),
    path("o/<slug:org_slug>/factors/residual-mix/", views.residual_mix, name="residual_mix"),
    path("o/<slug:org_slug>/factors/facility-pue/", views.facility_pue, name="facility_pue"),
    path("o/<slug:org_slug>/instruments/", views.instruments, name="instruments"),
    path("o/<slug:org_slug>/instruments/<int:pk>/delete/", views.instrument_delete, name="instrument_delete"),
]
