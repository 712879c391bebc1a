"""How forms and widgets are rendered: Django's Jinja2 templates of them where they exist.

Django ships every built-in form and widget template twice, for its own template engine
and for Jinja2; the Jinja2 ones render the same HTML (but for blank lines) in half the
time (the activity filters of a list page: 7 -> 3.4 ms, measured at 1M activities,
bench/). Templates that exist for Django's engine only (the admin's widget wrappers, any
app's own widget) are rendered by it, as before.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """FORM_RENDERER: Jinja2 first, Django's engine for the templates Jinja2 lacks."""

    def __init__(self) -> None:
        self.fast = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.fast.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
