"""Upload, ingestion runs with live progress, and identity mappings. Thin: the logic is in ingestion.py (runs),
storage.py (uploads) and mapping.py (identity mappings)."""

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.accounts.permissions import READ, WRITE
from apps.accounts.tenancy import get_scoped_or_404, org_view, scoped
from apps.footprint.models import UsageRecord

from . import ingestion, progress, storage
from .dispatch import dispatch
from .errors import IngestionRefused, translated
from .forms import MappingForm, UploadForm
from .mapping import delete_mapping, save_mapping, unmapped_identities
from .models import IdentityMapping, IngestionRun, RunPhase, RunStatus, SourceFile
from .run_panels import run_panels
from .sources import SOURCES
from .sources.about import about
from .tasks import ingest_run


@org_view(READ, write_methods_action=WRITE)
def run_list(request):
    org = request.organisation
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            source_file = storage.store_upload(org, upload, upload.name, user=request.user)
            run = ingestion.create_run(org, form.cleaned_data["source"], source_file, user=request.user)
        except IngestionRefused as exc:
            form.add_error("file", translated(exc))
        else:
            if run.created and not run.is_finished:  # a file already loading keeps its one run
                dispatch(ingest_run, run.pk)
            return redirect("connectors:run", org_slug=org.slug, pk=run.pk)
    runs = scoped(IngestionRun, org).select_related("source_file", "uploaded_by")[:200]
    sources = [(key, module.LABEL, *about(module)) for key, module in sorted(SOURCES.items())]
    return render(request, "connectors/run_list.html", {"runs": runs, "form": form, "sources": sources})


def phase_progress(run: IngestionRun) -> dict:
    """What the progress bar shows of a running run: the phase with its own count ("Reading the file… 12,000
    rows", then "Storing the records… 3,000 records, part 2 of 16") and the percentage (reading up to 90 %,
    storing 90 to 100 % by parts). The store phase's count comes from apps.connectors.progress."""
    if run.status != RunStatus.RUNNING:
        return {"phase_text": "", "percent": run.progress_percent, "store": None}
    if run.phase == RunPhase.STORING:
        store = progress.read(run.pk, run.attempts)
        if store is None or not store["parts"]:
            return {"phase_text": _("Storing the records…"), "percent": run.progress_percent, "store": None}
        text = ngettext(
            "Storing the records… %(records)s record, part %(part)s of %(parts)s",
            "Storing the records… %(records)s records, part %(part)s of %(parts)s",
            store["records"],
        ) % {
            "records": number_format(store["records"], force_grouping=True),
            "part": number_format(min(store["part"] + 1, store["parts"]), force_grouping=True),
            "parts": number_format(store["parts"], force_grouping=True),
        }
        percent = min(99, 90 + int(10 * store["part"] / store["parts"]))
        return {"phase_text": text, "percent": percent, "store": store}
    rows = ngettext("Reading the file… %(rows)s row", "Reading the file… %(rows)s rows", run.rows_read) % {
        "rows": number_format(run.rows_read, force_grouping=True)
    }
    return {"phase_text": rows, "percent": run.progress_percent, "store": None}


@org_view(READ)
def run_detail(request, pk):
    run = get_scoped_or_404(
        IngestionRun.objects.select_related("source_file", "factor_set"), request.organisation, pk=pk
    )
    # How the run's records' energy was obtained, per data-quality class (read by the run's FK index).
    qualities = (
        UsageRecord.objects.filter(organisation=request.organisation, run_id=run.pk)
        .values_list("data_quality")
        .annotate(n=Count("id"))
        .order_by("data_quality")
    )
    context = {"run": run, "panels": run_panels(run), "phase": phase_progress(run), "qualities": list(qualities)}
    return render(request, "connectors/run_detail.html", context)


@org_view(READ)
def run_status(request, pk):
    """The run's state as JSON, polled by the progress bar."""
    run = get_scoped_or_404(IngestionRun, request.organisation, pk=pk)
    phase = phase_progress(run)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "phase": run.phase,
            "phase_label": run.get_phase_display() if run.status == RunStatus.RUNNING else "",
            "phase_text": phase["phase_text"],
            "finished": run.is_finished,
            "progress_percent": phase["percent"],
            "bytes_done": run.bytes_done,
            "bytes_total": run.bytes_total,
            "rows_read": run.rows_read,
            "rows_skipped": run.rows_skipped,
            "skipped": run.skipped,
            "records_stored": run.records_stored,
            "errors": run.errors,
            # The errors' messages in the page's language (each error's "message" stays the English text).
            "error_messages": [error["text"] for error in run.error_messages],
        }
    )


@org_view(READ, write_methods_action=WRITE)
def mapping_list(request):
    org = request.organisation
    form = MappingForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = save_mapping(org, request.user, data["kind"], data["value"], data["person"], data["team"])
        messages.success(request, _("Mapping saved; %(n)d records re-attributed.") % {"n": updated})
        return redirect("connectors:mappings", org_slug=org.slug)
    context = {
        "form": form,
        "mappings": scoped(IdentityMapping, org).select_related("person", "team"),
        "unmapped": unmapped_identities(org),
    }
    return render(request, "connectors/mapping_list.html", context)


@org_view(WRITE)
@require_POST
def mapping_delete(request, pk):
    mapping = get_scoped_or_404(IdentityMapping, request.organisation, pk=pk)
    delete_mapping(request.organisation, request.user, mapping)
    return redirect("connectors:mappings", org_slug=request.organisation.slug)


@org_view(READ)
def source_file_download(request, sha256):
    """A stored source file, to the organisation's members only (the evidence pack links the files it does not
    carry); the download is in the audit log."""
    from apps.accounts import audit

    source_file = get_scoped_or_404(SourceFile, request.organisation, sha256=sha256)
    path = storage.stored_file_path(source_file)
    if not path.is_file():
        raise Http404(_("The stored file is no longer on disk."))
    audit.record(
        request.organisation,
        request.user,
        "source_file.download",
        f"Source file downloaded: {source_file.filename}",
        source_file,
        sha256=sha256,
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=source_file.filename)
