from django.urls import path

from . import estimator, record_csv, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:org_slug>/", views.org_home, name="org_home"),
    path("o/<slug:org_slug>/records/", views.record_list, name="records"),
    path("o/<slug:org_slug>/records.csv", record_csv.record_csv, name="records_csv"),
    path("o/<slug:org_slug>/estimate/", estimator.estimate, name="estimate"),
]
