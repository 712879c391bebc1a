"""The user's own profile: preferences, API tokens and the way to their calendar feed."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api.auth import forget
from api.models import ApiToken
from employees.forms import PreferencesForm, TokenForm
from employees.selectors import employee_search
from spotkania import limits

SEARCH_LIMIT = 20


def profile(request):
    employee = getattr(request.user, "employee", None)
    preferences = PreferencesForm(
        request.POST if request.method == "POST" and employee else None, instance=employee
    )
    if request.method == "POST" and employee is not None and preferences.is_valid():
        preferences.save()
        messages.success(request, _("Your preferences were saved."))
        return redirect("employees:profile")
    return _profile_page(request, employee=employee, preferences=preferences)


def _profile_page(request, *, employee, preferences, new_token=None):
    context = {
        "employee": employee,
        "preferences": preferences,
        "token_form": TokenForm(),
        "tokens": ApiToken.objects.filter(user=request.user),
        "new_token": new_token,
    }
    return TemplateResponse(request, "employees/profile.html", context)


@require_POST
def token_create(request):
    """Issues an API token and shows it in this response only: it is stored nowhere (not
    even in the session), just its hash."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The token was not created: the name is too long."))
        return redirect("employees:profile")
    _token, raw = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
    messages.success(request, _("Your new API token is shown below. Copy it now."))
    employee = getattr(request.user, "employee", None)
    return _profile_page(
        request, employee=employee, preferences=PreferencesForm(instance=employee), new_token=raw
    )


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.revoke()
    forget(token)  # at once, not when the API's 5-second cache of the lookup expires
    messages.success(request, _("The token was revoked; it no longer opens the API."))
    return redirect("employees:profile")


@require_GET
def employee_search_json(request):
    """Employees matching `q`, for searchable selects: {"results": [{id, text}]}; those
    who left are marked, as the filters still find their activities."""
    people = employee_search(q=limits.parse_search(request.GET.get("q")))
    people = people.only("id", "first_name", "last_name", "is_active")[:SEARCH_LIMIT]
    results = [
        {
            "id": e.pk,
            "text": e.full_name
            if e.is_active
            else _("%(name)s (inactive)") % {"name": e.full_name},
        }
        for e in people
    ]
    return JsonResponse({"results": results})
