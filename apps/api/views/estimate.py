"""A footprint estimate of LLM requests, without storing anything."""

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, views
from rest_framework.response import Response

from apps.footprint.calculator import estimate_request
from apps.footprint.factors import FactorLookupError
from apps.footprint.services import default_factor_set_version, load_factor_set

from .. import examples
from ..serializers import EstimateRequestSerializer


@extend_schema(
    request=EstimateRequestSerializer,
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    examples=examples.ESTIMATE,
)
class Estimate(views.APIView):
    """Energy and CO2e of LLM requests (EcoLogits method) with the built-in factor set.

    Same answer as `manage.py estimate --json`. Unknown provider, model or zone: 400 with close matches."""

    def post(self, request):
        params = EstimateRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        try:
            result = estimate_request(
                p["provider"],
                p["model"],
                p["output_tokens"],
                p["input_tokens"],
                p["requests"],
                p["zone"] or None,
                p["year"],
                factor_set=load_factor_set(default_factor_set_version()),
                cached_input_tokens=p["cached_input_tokens"],
            )
        except FactorLookupError as exc:
            return Response(
                {"detail": str(exc), "field": _field_of(exc), "close_matches": exc.close_matches},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # The warnings in the request's language (English unless it sends Accept-Language: fr).
        return Response({**result, "warnings": [gettext(w) for w in result["warnings"]]})


def _field_of(exc: FactorLookupError) -> str:
    return "model" if exc.kind.startswith("model") else exc.kind
