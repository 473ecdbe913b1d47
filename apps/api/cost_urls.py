"""The cost endpoints' routes under /api/v1/, in their own namespace (`costs_api:`) as when apps.costs had them."""

from django.urls import path

from .views import costs

app_name = "costs_api"

urlpatterns = [
    path("o/<slug:org_slug>/costs/summary/", costs.Summary.as_view(), name="summary"),
    path("o/<slug:org_slug>/costs/seats/", costs.Seats.as_view(), name="seats"),
    path("o/<slug:org_slug>/costs/roi/", costs.Roi.as_view(), name="roi"),
    path("o/<slug:org_slug>/costs/right-sizing/", costs.RightSizing.as_view(), name="right_sizing"),
    path("o/<slug:org_slug>/costs/rebound/", costs.Rebound.as_view(), name="rebound"),
    path("o/<slug:org_slug>/costs/frugality/", costs.Frugality.as_view(), name="frugality"),
    path("o/<slug:org_slug>/costs/reconciliation/", costs.Reconciliation.as_view(), name="reconciliation"),
]
