"""The import page for staff: upload, dry-run report, confirm. Thin over imports.services.

The checked file waits in a private temporary folder between the dry run and the confirm
(its name is kept in the session, its life in imports.pending), so the user does not
upload it twice; the confirm runs every check again, since the data may have changed in
between."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dictionaries.views import crm_admin_required
from imports.forms import ImportForm
from imports.pending import (
    PENDING_MAX_AGE,
    pending_discard,
    pending_store,
    pending_sweep,
    pending_take,
)
from imports.services import COLUMNS, KINDS, ImportFileError, import_run

SESSION_KEY = "imports.pending"


def _render(request, form, report=None, pending=None):
    context = {
        "nav": "configuration",
        "form": form,
        "report": report,
        "pending": pending,
        "columns": [(KINDS[k], cols) for k, cols in COLUMNS.items()],
    }
    return TemplateResponse(request, "imports/import.html", context)


@crm_admin_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    pending_sweep()  # abandoned checks' files go on the next visit of anyone
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        kind = form.cleaned_data["kind"]
        try:
            # As the confirm runs it (as this user), so both judge the rows alike.
            report = import_run(
                kind=kind, content=content, filename=upload.name, created_by=request.user
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return _render(request, form)
        pending = None
        previous = request.session.pop(SESSION_KEY, None)
        if previous:  # a new check replaces the one not confirmed
            pending_discard(token=previous["token"], suffix=previous["suffix"])
        if report.ok:
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            token = pending_store(content=content, suffix=suffix)
            pending = {"token": token, "kind": kind, "name": upload.name, "suffix": suffix}
            request.session[SESSION_KEY] = pending
        return _render(request, form, report, pending)
    return _render(request, form)


def _confirm(request):
    pending = request.session.pop(SESSION_KEY, None)
    if not pending or pending.get("token") != request.POST.get("token"):
        if pending:  # a stale page was confirmed: the file the session held goes too
            pending_discard(token=pending["token"], suffix=pending["suffix"])
        messages.error(request, _("Check the file again: nothing is waiting to be imported."))
        return redirect("imports:page")
    content = pending_take(token=pending["token"], suffix=pending["suffix"])
    if content is None:
        messages.error(
            request,
            _(
                "The checked file is no longer kept (files wait %(minutes)d minutes for "
                "“Import now”): check it again."
            )
            % {"minutes": PENDING_MAX_AGE // 60},
        )
        return redirect("imports:page")
    try:
        report = import_run(
            kind=pending["kind"],
            content=content,
            filename=pending["name"],
            commit=True,
            created_by=request.user,
        )
    except ImportFileError as exc:  # the same file was readable at the check
        messages.error(request, str(exc))
        return redirect("imports:page")
    if not report.committed:
        messages.error(request, _("Nothing was imported: the data changed since the check."))
        return _render(request, ImportForm(initial={"kind": pending["kind"]}), report)
    messages.success(request, _("Imported %(count)d rows.") % {"count": report.rows})
    return redirect("imports:page")
