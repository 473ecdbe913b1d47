"""Usage sources, file uploads and the ingestion runs they start."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, views
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apps.accounts.tenancy import get_scoped_or_404, scoped
from apps.connectors import ingestion
from apps.connectors.dispatch import dispatch
from apps.connectors.models import IngestionRun
from apps.connectors.sources import SOURCES
from apps.connectors.sources.about import about
from apps.connectors.storage import store_upload
from apps.connectors.tasks import ingest_run

from .. import examples
from ..serializers import IngestionRunSerializer, SourceSerializer, UploadSerializer
from .common import OrgScopedMixin


@extend_schema(tags=["ingestion"], responses={200: SourceSerializer(many=True)}, examples=examples.SOURCES)
class SourceList(views.APIView):
    """The usage sources a file can be loaded as (the `source` of an upload)."""

    def get(self, request):
        return Response(
            [
                {
                    "key": key,
                    "label": module.LABEL,
                    "reads_in_chunks": hasattr(module, "iter_chunks"),
                    "description": about(module).description,
                    "doc_url": about(module).doc_url,
                }
                for key, module in sorted(SOURCES.items())
            ]
        )


@extend_schema(tags=["ingestion"])
class RunList(OrgScopedMixin, generics.ListAPIView):
    """Ingestion runs, newest first. POST a usage file (multipart) to start one."""

    serializer_class = IngestionRunSerializer
    parser_classes = [MultiPartParser]  # a file upload: multipart only (a JSON or urlencoded body: 415)
    domain_error_field = "file"

    def get_queryset(self):
        return scoped(IngestionRun, self.organisation).select_related("source_file", "uploaded_by", "factor_set")

    @extend_schema(examples=examples.RUNS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={201: IngestionRunSerializer},
        description="Store the file (once per SHA-256), create a run and queue its loading. Poll the "
        "run's detail for `progress_percent` until `finished`. A file already loaded gives "
        "a finished run that stored nothing and names the earlier one in `duplicate_of`.",
        examples=examples.RUNS,
    )
    def post(self, request, *args, **kwargs):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file, source = upload.validated_data["file"], upload.validated_data["source"]
        # A refused file (IngestionRefused, a DomainError) is answered by the API's handler as {"file": [message]}.
        source_file = store_upload(self.organisation, file, file.name, user=request.user)
        run = ingestion.create_run(self.organisation, source, source_file, user=request.user)
        if run.created and not run.is_finished:  # a file already loading keeps its one run
            # Queued once the run row is committed, so a worker never looks for a run that is not there yet.
            dispatch(ingest_run, run.pk)
        return Response(
            IngestionRunSerializer(run).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(f"{run.pk}/")},
        )


@extend_schema(tags=["ingestion"], examples=examples.RUNS)
class RunDetail(OrgScopedMixin, generics.RetrieveAPIView):
    """One run: status, progress, counts, errors (file, row, column) and the file's SHA-256."""

    serializer_class = IngestionRunSerializer

    def get_object(self):
        return get_scoped_or_404(
            IngestionRun.objects.select_related("source_file", "uploaded_by", "factor_set"),
            self.organisation,
            pk=self.kwargs["pk"],
        )
