from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.generic import RedirectView
from django.views.i18n import set_language

from spotkania.limits import IdConverter
from spotkania.throttling import LoginView, ThrottledPasswordResetView, password_reset_enabled

# Before the includes below: their patterns use <id:pk>.
register_converter(IdConverter, "id")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="activities:list"), name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    # The password reset, throttled and possibly off (spotkania/throttling.py), before
    # Django's own patterns of the same names.
    path(
        "accounts/password_reset/",
        password_reset_enabled(ThrottledPasswordResetView.as_view()),
        name="password_reset",
    ),
    *[
        path(
            f"accounts/{pattern.pattern}",
            password_reset_enabled(pattern.callback),
            name=pattern.name,
        )
        for pattern in auth_urls.urlpatterns
        if pattern.name.startswith("password_reset_")
    ],
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("activities/", include("activities.urls")),
    path("customers/", include("customers.urls")),
    path("schedule/", include("schedule.urls")),
    path("configuration/dictionaries/", include("dictionaries.urls")),
    path("configuration/currencies/", include("dictionaries.currency_urls")),
    path("configuration/import/", include("imports.urls")),
    path("reports/", include("reports.urls")),
    path("profile/", include("employees.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
]

# A database fault outside a view (a middleware reading the session) is a 503 too.
handler500 = "spotkania.faults.server_error"
# A body found too large while it is read is 413; the API's 400s are JSON.
handler400 = "spotkania.guards.bad_request"
