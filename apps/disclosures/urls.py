from django.urls import path

from . import views

app_name = "disclosures"

urlpatterns = [
    path("o/<slug:org_slug>/periods/", views.period_list, name="periods"),
    path("o/<slug:org_slug>/periods/<int:pk>/", views.period_detail, name="period"),
    path("o/<slug:org_slug>/periods/<int:pk>/status/", views.period_status, name="period_status"),
    path("o/<slug:org_slug>/periods/<int:pk>/inputs/", views.period_inputs, name="period_inputs"),
    path("o/<slug:org_slug>/periods/<int:pk>/review/", views.period_review, name="period_review"),
    path("o/<slug:org_slug>/periods/<int:pk>/sign-off/", views.period_sign_off, name="period_sign_off"),
    path("o/<slug:org_slug>/periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
    path("o/<slug:org_slug>/periods/<int:pk>/export/<str:fmt>/", views.period_export, name="period_export"),
    path("o/<slug:org_slug>/audit-log/", views.audit_log, name="audit_log"),
]
