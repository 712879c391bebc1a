"""URLs of the API: ninja's, exempt from the login redirect of the pages.

The project's LoginRequiredMiddleware would send an anonymous request to the login page;
the API authenticates with Bearer tokens itself and answers 401 in JSON instead.
"""

from django.contrib.auth.decorators import login_not_required

from api.api import api


def _exempt(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _exempt(pattern.url_patterns)
        else:
            login_not_required(pattern.callback)
    return patterns


patterns, _app_name, app_name = api.urls  # the namespace ninja reverses in
urlpatterns = _exempt(patterns)
