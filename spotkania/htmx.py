"""One way for every page to answer htmx: the whole page, or only one named partial."""

from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers


def wants_fragment(request) -> bool:
    """An htmx swap gets only the fragment; a boosted link, or a history restore after a
    cache miss, needs the whole page."""
    return bool(
        request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    )


def render_page(request, template: str, context: dict, *, fragment: str) -> TemplateResponse:
    """Renders the page, or only its `{% partialdef fragment %}` for an htmx swap. Vary
    keeps a cache from serving the fragment to a full page load of the same URL."""
    if wants_fragment(request):
        template = f"{template}#{fragment}"
    response = TemplateResponse(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
