from django.urls import path

from .views import disclosures, estimate, mappings, organisations, records, runs

app_name = "api"

urlpatterns = [
    path("estimate", estimate.Estimate.as_view(), name="estimate"),
    path("sources/", runs.SourceList.as_view(), name="sources"),
    path("organisations/", organisations.OrganisationList.as_view(), name="organisations"),
    path("o/<slug:org_slug>/teams/", organisations.TeamList.as_view(), name="teams"),
    path("o/<slug:org_slug>/teams/<int:pk>/", organisations.TeamDetail.as_view(), name="team_detail"),
    path("o/<slug:org_slug>/runs/", runs.RunList.as_view(), name="runs"),
    path("o/<slug:org_slug>/runs/<int:pk>/", runs.RunDetail.as_view(), name="run"),
    path("o/<slug:org_slug>/records/", records.RecordList.as_view(), name="records"),
    path("o/<slug:org_slug>/summary/", records.Summary.as_view(), name="summary"),
    path("o/<slug:org_slug>/mappings/", mappings.MappingList.as_view(), name="mappings"),
    path("o/<slug:org_slug>/mappings/<int:pk>/", mappings.MappingDetail.as_view(), name="mapping"),
    path("o/<slug:org_slug>/periods/", disclosures.PeriodList.as_view(), name="periods"),
    path("o/<slug:org_slug>/periods/<int:pk>/", disclosures.PeriodDetail.as_view(), name="period"),
    path("o/<slug:org_slug>/periods/<int:pk>/disclosure/", disclosures.Disclosure.as_view(), name="disclosure"),
    path("o/<slug:org_slug>/periods/<int:pk>/status/", disclosures.PeriodTaskStatus.as_view(), name="period_status"),
    path("o/<slug:org_slug>/periods/<int:pk>/sign-off/", disclosures.SignOff.as_view(), name="sign_off"),
    path("o/<slug:org_slug>/periods/<int:pk>/exports/<str:fmt>/", disclosures.Export.as_view(), name="export"),
]
