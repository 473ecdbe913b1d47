from django.urls import path

from . import api

app_name = "costs_api"

urlpatterns = [
    path("o/<slug:org_slug>/costs/summary/", api.Summary.as_view(), name="summary"),
    path("o/<slug:org_slug>/costs/seats/", api.Seats.as_view(), name="seats"),
    path("o/<slug:org_slug>/costs/roi/", api.Roi.as_view(), name="roi"),
    path("o/<slug:org_slug>/costs/right-sizing/", api.RightSizing.as_view(), name="right_sizing"),
    path("o/<slug:org_slug>/costs/rebound/", api.Rebound.as_view(), name="rebound"),
    path("o/<slug:org_slug>/costs/frugality/", api.Frugality.as_view(), name="frugality"),
]
