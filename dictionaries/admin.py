"""Admin of the dictionaries: a back door for superusers, held to the same rules.

The everyday place to manage priorities and categories is Configuration > Universal
dictionaries > CRM, which goes through `dictionaries.services`. Here the default and the
active flag are read-only (their rules span several rows and live in those services), names
are checked by the same rule as on the pages, and an entry that activities use cannot be
deleted.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dictionaries import services
from dictionaries.models import ActivityCategory, ActivityPriority, Currency


class DictionaryEntryAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        try:
            names = services.dictionary_entry_names_validate(
                model=model,
                entry=self.instance if self.instance.pk else None,
                name_pl=cleaned.get("name_pl", ""),
                name_en=cleaned.get("name_en", ""),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        else:
            cleaned.update(names)
        return cleaned


class DictionaryEntryAdmin(admin.ModelAdmin):
    form = DictionaryEntryAdminForm
    list_display = ("name_pl", "name_en", "position", "is_default", "is_active", "activity_count")
    list_display_links = ("name_pl",)
    list_editable = ("position",)
    list_filter = ("is_active",)
    search_fields = ("name_pl", "name_en")
    readonly_fields = ("is_default", "is_active", "configuration_page")
    fields = ("name_pl", "name_en", "position", "is_default", "is_active", "configuration_page")
    dictionary_slug = ""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=Count("activities"))

    @admin.display(description=_("activities"), ordering="activity_count")
    def activity_count(self, obj) -> int:
        return obj.activity_count

    @admin.display(description=_("default and active"))
    def configuration_page(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("dictionaries:list", args=[self.dictionary_slug]),
            gettext("Change them under Configuration > Universal dictionaries > CRM"),
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        """No delete for an entry in use (deactivate it) nor for the required default."""
        if obj is not None and (
            obj.activities.exists() or (obj.is_default and type(obj) in services.DEFAULT_REQUIRED)
        ):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ActivityPriority)
class ActivityPriorityAdmin(DictionaryEntryAdmin):
    dictionary_slug = "priorities"


@admin.register(ActivityCategory)
class ActivityCategoryAdmin(DictionaryEntryAdmin):
    dictionary_slug = "categories"


class CurrencyAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if self.instance.is_base and cleaned.get("is_active") is False:
            self.add_error("is_active", gettext("The base currency cannot be deactivated."))
        return cleaned


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    """Currencies offered for costs. The base currency is fixed here: changing it would
    change the meaning of every converted sum, which is a job for a migration."""

    form = CurrencyAdminForm
    list_display = ("code", "name", "minor_unit", "is_base", "is_active")
    list_editable = ("is_active",)
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    readonly_fields = ("is_base",)

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key: editing it would create a second currency.
        return ("code", *self.readonly_fields) if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        """The base currency is never deleted; others are protected by their uses."""
        if obj is not None and obj.is_base:
            return False
        return super().has_delete_permission(request, obj)
