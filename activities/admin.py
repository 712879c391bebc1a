"""Admin of CRM activities: a back door for superusers to find and fix activities.

The rules of an activity span several models (rule 1: the contact persons belong to the
customer; rule 6: the follow-up exists once; rule 3: an ended activity is locked), and
they live in `activities.services`, which the admin's generic forms would bypass. So
activities are created on the pages only, the relations, times, costs and status are
read-only here, an ended activity is view-only, and deleting goes through
`activity_delete` (which refuses an ended one). What stays editable is free text that no
rule depends on.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities import services
from activities.models import Activity
from employees.roles import is_crm_admin


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "kind",
        "customer",
        "start",
        "leader",
        "status",
        "priority",
        "category",
        "in_schedule",
    ]
    list_display_links = ["subject"]
    list_filter = ["kind", "status", "in_schedule", "all_day", "priority", "category", "start"]
    list_select_related = ["customer", "leader", "priority", "category"]
    search_fields = [
        "subject",
        "place",
        "notes",
        "customer__name",
        "customer__code",
        "leader__last_name",
    ]
    date_hierarchy = "start"
    ordering = ["-start", "-id"]
    actions = None  # no bulk delete: each deletion goes through the service
    editable_fields = ("subject", "place", "notes", "in_schedule")
    fieldsets = [
        (None, {"fields": ["kind", "subject", "status", "customer", "contact_persons"]}),
        (_("People"), {"fields": ["employee_names", "leader"]}),
        (_("Time"), {"fields": ["start", "end", "time_zone", "all_day"]}),
        (
            _("Details"),
            {"fields": ["place", "priority", "category", "in_schedule", "notes"]},
        ),
        (
            _("Costs"),
            {
                "fields": [
                    "expected_cost",
                    "expected_cost_currency",
                    "actual_cost",
                    "actual_cost_currency",
                ]
            },
        ),
        (
            _("History"),
            {
                "fields": [
                    "previous",
                    "ended_at",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "version",
                ]
            },
        ),
    ]

    @admin.display(description=_("employees"))
    def employee_names(self, obj) -> str:
        return ", ".join(e.full_name for e in obj.employees.all())

    def get_readonly_fields(self, request, obj=None):
        return [
            f
            for fieldset in self.fieldsets
            for f in fieldset[1]["fields"]
            if f not in self.editable_fields
        ]

    def has_add_permission(self, request):
        return False

    # The admin knows nothing of teams (activities.selectors.visible_activities): only a
    # CRM administrator, who sees everything anyway, may use it for activities, whatever
    # model permissions a staff account holds.
    def has_module_permission(self, request):
        return is_crm_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_crm_admin(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if not is_crm_admin(request.user) or (obj is not None and not obj.is_editable):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if not is_crm_admin(request.user) or (obj is not None and not obj.is_editable):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.version += 1
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        try:
            services.activity_delete(activity=obj, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
