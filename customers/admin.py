"""Admin of customers and contact persons, for administrators fixing data by hand."""

from django.contrib import admin

from customers.forms import CustomerModelForm
from customers.models import ContactPerson, Customer


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0
    fields = ["first_name", "last_name", "position", "email", "phone", "is_active"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    # The pages' form, so the admin stores the NIP normalised exactly as they do.
    form = CustomerModelForm
    list_display = ["code", "name", "tax_id", "email", "phone", "is_active"]
    list_display_links = ["code", "name"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "tax_id", "email", "phone"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ContactPersonInline]


@admin.register(ContactPerson)
class ContactPersonAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "customer",
        "position",
        "email",
        "phone",
        "is_active",
    ]
    list_filter = ["is_active"]
    list_select_related = ["customer"]
    search_fields = [
        "last_name",
        "first_name",
        "email",
        "phone",
        "customer__name",
        "customer__code",
    ]
    autocomplete_fields = ["customer"]
