"""Admin of employees: who they are, which login user they are, where they work."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from employees.models import Employee


def time_zone_choices() -> list[tuple[str, str]]:
    # A callable, so the zone list (read from disk) is built when a form is shown, not at
    # import time.
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


class EmployeeAdminForm(forms.ModelForm):
    """A time zone is picked from the IANA list rather than typed."""

    time_zone = forms.ChoiceField(
        label=_("time zone"), choices=time_zone_choices, initial=settings.TIME_ZONE
    )

    class Meta:
        model = Employee
        fields = ["first_name", "last_name", "email", "user", "time_zone", "is_active"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    form = EmployeeAdminForm
    list_display = ["name", "email", "user", "time_zone", "is_active"]
    list_filter = ["is_active", "time_zone"]
    list_select_related = ["user"]
    search_fields = ["first_name", "last_name", "email", "user__username"]
    autocomplete_fields = ["user"]

    @admin.display(description=_("name"), ordering=("last_name", "first_name"))
    def name(self, employee: Employee) -> str:
        return employee.full_name
