from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("estimate", views.Estimate.as_view(), name="estimate"),
    path("organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("o/<slug:org_slug>/teams/", views.TeamList.as_view(), name="teams"),
    path("o/<slug:org_slug>/teams/<int:pk>/", views.TeamDetail.as_view(), name="team_detail"),
]
