from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("estimate", views.Estimate.as_view(), name="estimate"),
    path("sources/", views.SourceList.as_view(), name="sources"),
    path("organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("o/<slug:org_slug>/teams/", views.TeamList.as_view(), name="teams"),
    path("o/<slug:org_slug>/teams/<int:pk>/", views.TeamDetail.as_view(), name="team_detail"),
    path("o/<slug:org_slug>/runs/", views.RunList.as_view(), name="runs"),
    path("o/<slug:org_slug>/runs/<int:pk>/", views.RunDetail.as_view(), name="run"),
    path("o/<slug:org_slug>/records/", views.RecordList.as_view(), name="records"),
    path("o/<slug:org_slug>/summary/", views.Summary.as_view(), name="summary"),
    path("o/<slug:org_slug>/mappings/", views.MappingList.as_view(), name="mappings"),
    path("o/<slug:org_slug>/mappings/<int:pk>/", views.MappingDetail.as_view(), name="mapping"),
    path("o/<slug:org_slug>/periods/", views.PeriodList.as_view(), name="periods"),
    path("o/<slug:org_slug>/periods/<int:pk>/", views.PeriodDetail.as_view(), name="period"),
    path("o/<slug:org_slug>/periods/<int:pk>/disclosure/", views.Disclosure.as_view(), name="disclosure"),
    path("o/<slug:org_slug>/periods/<int:pk>/sign-off/", views.SignOff.as_view(), name="sign_off"),
    path("o/<slug:org_slug>/periods/<int:pk>/exports/<str:fmt>/", views.Export.as_view(), name="export"),
]
