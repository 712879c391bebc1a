"""Admin of employees: who they are, which login user they are, where they work."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from employees.models import Employee, Team, time_zone_names


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(time_zone_names())]


class EmployeeAdminForm(forms.ModelForm):
    """A time zone is picked from the IANA list rather than typed."""

    time_zone = forms.ChoiceField(
        label=_("time zone"), choices=time_zone_choices, initial=settings.TIME_ZONE
    )

    class Meta:
        model = Employee
        fields = ["first_name", "last_name", "email", "user", "team", "time_zone", "is_active"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    form = EmployeeAdminForm
    list_display = ["name", "email", "user", "team", "time_zone", "is_active"]
    list_filter = ["is_active", "team", "time_zone"]
    list_select_related = ["user", "team"]
    search_fields = ["first_name", "last_name", "email", "user__username"]
    autocomplete_fields = ["user", "team"]

    @admin.display(description=_("name"), ordering=("last_name", "first_name"))
    def name(self, employee: Employee) -> str:
        return employee.full_name


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "manager", "parent"]
    list_select_related = ["manager", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["manager", "parent"]
