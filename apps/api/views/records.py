"""Usage records and the footprint summary, filtered like the dashboard (the same selectors)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, views
from rest_framework.response import Response

from apps.costs.figures import usage_figures
from apps.footprint import selectors

from .. import examples
from ..pagination import RecordCursorPagination
from ..schema import FILTER_PARAMETERS
from ..serializers import SummarySerializer, UsageRecordSerializer
from .common import OrgScopedMixin, checked_filters


@extend_schema(tags=["footprint"], parameters=FILTER_PARAMETERS, examples=examples.RECORDS)
class RecordList(OrgScopedMixin, generics.ListAPIView):
    """Usage records with their footprint, filtered like the dashboard, newest day first, 100 a page: follow
    `next` (older) and `previous` (newer), whose `cursor` is opaque. No total count: the summary has it."""

    serializer_class = UsageRecordSerializer
    pagination_class = RecordCursorPagination

    def get_queryset(self):
        filters = checked_filters(self.organisation, self.request.query_params)
        return selectors.filtered_records(self.organisation, filters)  # ordered and limited by the paginator


@extend_schema(tags=["footprint"], parameters=FILTER_PARAMETERS, responses=SummarySerializer, examples=examples.SUMMARY)
class Summary(OrgScopedMixin, views.APIView):
    """The dashboard's totals (kWh, kg/t CO2e location- and market-based, EUR) and series by month, source,
    provider, model, team and scope: the same aggregates as the disclosure's breakdowns."""

    def get(self, request, org_slug):
        filters = checked_filters(self.organisation, request.query_params)
        figures = usage_figures(self.organisation, filters)
        series = {
            name: [{k: v for k, v in row.items() if k != "team_id"} for row in rows]
            for name, rows in figures["series"].items()
        }
        api_cost = figures["api_cost"]
        totals = {
            **figures["totals"],
            "cost_eur": api_cost.total_eur,
            "cost_rule": api_cost.rule,
            "other_costs": [
                {"currency": currency, "amount": amount}
                for currency, amount in sorted(api_cost.reported_by_currency.items())
                if currency != "EUR"
            ],
        }
        return Response(SummarySerializer({"filters": filters, "totals": totals, "series": series}).data)
