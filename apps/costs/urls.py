from django.urls import path

from . import views

app_name = "costs"

urlpatterns = [
    path("o/<slug:org_slug>/costs/", views.overview, name="overview"),
    path("o/<slug:org_slug>/costs/seats/", views.seats, name="seats"),
    path("o/<slug:org_slug>/costs/roi/", views.roi, name="roi"),
    path("o/<slug:org_slug>/costs/right-sizing/", views.right_sizing, name="right_sizing"),
    path("o/<slug:org_slug>/costs/rebound/", views.rebound, name="rebound"),
    path("o/<slug:org_slug>/costs/frugality/", views.frugality, name="frugality"),
    path("o/<slug:org_slug>/costs/frugality.csv", views.frugality_csv, name="frugality_csv"),
    path("o/<slug:org_slug>/costs/prices/", views.prices, name="prices"),
]
