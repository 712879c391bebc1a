"""Forms render through Django's Jinja2 templates where they exist, and through Django's
own engine where they do not (the admin's widget wrappers): spotkania.rendering."""

import pytest
from django.forms.renderers import get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.urls import reverse

from activities.forms import ActivityFilterForm


def test_built_in_widgets_use_jinja2_and_the_admins_use_djangos_engine():
    renderer = get_default_renderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    wrapper = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert isinstance(wrapper, DjangoTemplate)


@pytest.mark.django_db
def test_a_filter_form_renders_its_choices_and_values():
    form = ActivityFilterForm({"kind": "task", "q": "<b>"})
    html = str(form["kind"]) + str(form["q"])
    assert '<option value="task" selected>' in html
    assert 'value="&lt;b&gt;"' in html  # escaped by Jinja2's autoescape as by Django


@pytest.mark.django_db
def test_admin_forms_with_related_widgets_still_render(admin_client):
    response = admin_client.get(reverse("admin:employees_employee_add"))
    assert response.status_code == 200
    assert "related-widget-wrapper" in response.content.decode()
