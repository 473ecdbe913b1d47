"""The records list's keyset pagination (apps.footprint.record_pages): `next` and `previous` links carry an
opaque `cursor`; there is no page number and no count, so a page costs the same at any depth of the year."""

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.footprint.record_pages import parse_from_day, record_page

CURSOR = "cursor"
FROM_DAY = "from_day"
EXAMPLE_URL = "https://ledger.example/api/v1/o/acme/records/?start=2025-01-01&end=2025-12-31&cursor="


class RecordCursorPagination(BasePagination):
    """Newest day first, 100 records a page; a cursor this list did not give is a 404 (no such page)."""

    page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.url = request.build_absolute_uri()
        cursor = request.query_params.get(CURSOR)
        # A jump to a day opens a page; the links from it carry cursors (the day is dropped from them).
        from_day = None if cursor else parse_from_day(request.query_params.get(FROM_DAY))
        self.page = record_page(queryset, cursor=cursor, size=self.page_size, from_day=from_day)
        return self.page.rows

    def _link(self, cursor):
        if not cursor:
            return None
        return replace_query_param(remove_query_param(remove_query_param(self.url, CURSOR), FROM_DAY), CURSOR, cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    **link,
                    "description": "The older records (the same filters), null on the last page.",
                    "example": EXAMPLE_URL + "bnwyMDI1LTAzLTAxfDlm…",
                },
                "previous": {
                    **link,
                    "description": "The newer records, null on the first page.",
                    "example": None,
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": CURSOR,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the value a `next` or `previous` link carries (opaque).",
                "schema": {"type": "string"},
            },
            {
                "name": FROM_DAY,
                "required": False,
                "in": "query",
                "description": "Without a cursor: the page that starts at this day (its records, then older ones).",
                "schema": {"type": "string", "format": "date"},
            },
        ]
