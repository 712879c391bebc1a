"""Configuration > Universal dictionaries > CRM: the pages of activity priorities and categories.

Thin views: they parse the request, call one service of `dictionaries.services` and render.
Changes are POSTs; with htmx the page swaps its `entries` fragment, without it the browser
gets a redirect back to the list (post/redirect/get), so both work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dictionaries import services
from dictionaries.forms import DictionaryEntryForm
from dictionaries.models import ActivityCategory, ActivityPriority, DictionaryEntry
from employees.roles import is_crm_admin
from spotkania.history import change_history
from spotkania.htmx import render_page, wants_fragment

PAGE = "dictionaries/dictionary_page.html"


@dataclass(frozen=True)
class Dictionary:
    """One dictionary page: its URL slug, model and the words shown for it."""

    slug: str
    model: type[DictionaryEntry]
    title: Promise
    help_text: Promise

    @property
    def default_required(self) -> bool:
        return self.model in services.DEFAULT_REQUIRED


DICTIONARIES = {
    d.slug: d
    for d in (
        Dictionary(
            slug="priorities",
            model=ActivityPriority,
            title=gettext_lazy("Activity priorities"),
            help_text=gettext_lazy(
                "Every activity has a priority; a new one gets the default. "
                "A deactivated priority stays on the activities that have it "
                "but is not offered for new ones."
            ),
        ),
        Dictionary(
            slug="categories",
            model=ActivityCategory,
            title=gettext_lazy("Activity categories"),
            help_text=gettext_lazy(
                "A category classifies an activity; it is optional, so a default is too. "
                "A deactivated category stays on the activities that have it "
                "but is not offered for new ones."
            ),
        ),
    )
}


def crm_admin_required(view: Callable) -> Callable:
    """Lets only CRM administrators in (`employees.roles.is_crm_admin`): a 403 for everyone
    else.

    Not `user_passes_test`, which would send a logged-in employee to the login page as if
    logging in again could help. Anonymous users never get here: LoginRequiredMiddleware
    sends them to log in first.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_crm_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _dictionary(slug: str) -> Dictionary:
    try:
        return DICTIONARIES[slug]
    except KeyError:
        raise Http404 from None


def entries_with_usage(model: type[DictionaryEntry]) -> QuerySet:
    """All entries in display order, each with `activity_count`, in one query."""
    return model.objects.annotate(activity_count=Count("activities")).order_by("position", "id")


def _render(request, dictionary: Dictionary, *, form: DictionaryEntryForm | None = None):
    """The whole page, or only its `entries` fragment for an htmx request."""
    context = {
        "nav": "configuration",
        "dictionary": dictionary,
        "dictionaries": DICTIONARIES.values(),
        "entries": entries_with_usage(dictionary.model),
        "form": form or DictionaryEntryForm(),
    }
    return render_page(request, PAGE, context, fragment="entries")


def _done(request, dictionary: Dictionary):
    """After a change: the fresh fragment for htmx, a redirect to the page otherwise."""
    if wants_fragment(request):
        return _render(request, dictionary)
    return redirect("dictionaries:list", dictionary.slug)


@crm_admin_required
@require_GET
def dictionary_page(request, dictionary: str):
    """The entries of one dictionary with their uses, and the form to add one."""
    return _render(request, _dictionary(dictionary))


@crm_admin_required
@require_POST
def entry_add(request, dictionary: str):
    d = _dictionary(dictionary)
    form = DictionaryEntryForm(request.POST)
    if form.is_valid():
        try:
            entry = services.dictionary_entry_create(model=d.model, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Added “%(name)s”.") % {"name": entry.name})
            return _done(request, d)
    return _render(request, d, form=form)


@crm_admin_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, dictionary: str, pk: int):
    """Renames an entry in both languages (its own small page)."""
    d = _dictionary(dictionary)
    entry = get_object_or_404(d.model, pk=pk)
    if request.method == "POST":
        form = DictionaryEntryForm(request.POST)
        if form.is_valid():
            try:
                entry = services.dictionary_entry_rename(entry=entry, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Renamed to “%(name)s”.") % {"name": entry.name})
                return redirect("dictionaries:list", d.slug)
    else:
        form = DictionaryEntryForm(initial={"name_pl": entry.name_pl, "name_en": entry.name_en})
    context = {
        "nav": "configuration",
        "dictionary": d,
        "entry": entry,
        "form": form,
        "history": change_history(entry),
    }
    return TemplateResponse(request, "dictionaries/entry_edit.html", context)


# The one-click actions on a row: the service to call and what to tell the user after it.
ACTIONS: dict[str, tuple[Callable[[DictionaryEntry], object], Promise | None]] = {
    "up": (lambda e: services.dictionary_entry_move(entry=e, direction="up"), None),
    "down": (lambda e: services.dictionary_entry_move(entry=e, direction="down"), None),
    "default": (
        lambda e: services.dictionary_entry_set_default(entry=e),
        gettext_lazy("“%(name)s” is now the default."),
    ),
    "clear-default": (
        lambda e: services.dictionary_entry_clear_default(entry=e),
        gettext_lazy("“%(name)s” is no longer the default; there is no default now."),
    ),
    "deactivate": (
        lambda e: services.dictionary_entry_deactivate(entry=e),
        gettext_lazy(
            "“%(name)s” is deactivated: it stays on existing activities "
            "but is not offered for new ones."
        ),
    ),
    "activate": (
        lambda e: services.dictionary_entry_activate(entry=e),
        gettext_lazy("“%(name)s” is active again."),
    ),
    "delete": (
        lambda e: services.dictionary_entry_delete(entry=e),
        gettext_lazy("Deleted “%(name)s”."),
    ),
}


@crm_admin_required
@require_POST
def entry_action(request, dictionary: str, pk: int, action: str):
    """Moves, makes default, deactivates, activates or deletes one entry."""
    d = _dictionary(dictionary)
    try:
        run, success = ACTIONS[action]
    except KeyError:
        raise Http404 from None
    entry = get_object_or_404(d.model, pk=pk)
    try:
        run(entry)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if success is not None:
            messages.success(request, str(success) % {"name": entry.name})
    return _done(request, d)
