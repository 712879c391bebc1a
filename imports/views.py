"""The import page for staff: upload, dry-run report, confirm. Thin over imports.services.

The checked file waits in a private temporary folder between the dry run and the confirm
(its name is kept in the session), so the user does not upload it twice; the confirm runs
every check again, since the data may have changed in between."""

import secrets
import tempfile
from pathlib import Path

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dictionaries.views import crm_admin_required
from imports.forms import ImportForm
from imports.services import COLUMNS, KINDS, ImportFileError, import_run

SESSION_KEY = "imports.pending"


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "spotkania-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


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
        if report.ok:
            token = secrets.token_hex(16)
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            (_folder() / f"{token}{suffix}").write_bytes(content)
            pending = {"token": token, "kind": kind, "name": upload.name, "suffix": suffix}
            request.session[SESSION_KEY] = pending
        return _render(request, form, report, pending)
    return _render(request, form)


def _confirm(request):
    pending = request.session.pop(SESSION_KEY, None)
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(request, _("Check the file again: nothing is waiting to be imported."))
        return redirect("imports:page")
    path = _folder() / f"{pending['token']}{pending['suffix']}"
    try:
        content = path.read_bytes()
    except OSError:
        messages.error(request, _("Check the file again: nothing is waiting to be imported."))
        return redirect("imports:page")
    try:
        report = import_run(
            kind=pending["kind"],
            content=content,
            filename=pending["name"],
            commit=True,
            created_by=request.user,
        )
    finally:
        path.unlink(missing_ok=True)
    if not report.committed:
        messages.error(request, _("Nothing was imported: the data changed since the check."))
        return _render(request, ImportForm(initial={"kind": pending["kind"]}), report)
    messages.success(request, _("Imported %(count)d rows.") % {"count": report.rows})
    return redirect("imports:page")
