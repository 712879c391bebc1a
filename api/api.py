"""The REST API v1: one NinjaAPI with a router per resource, mounted at /api/v1/."""

from ninja import NinjaAPI, Swagger

from api import errors
from api.auth import TOKEN_CACHE_SECONDS, BearerToken
from api.endpoints import activities, auth, customers, dictionaries, employees, reports, schedule
from api.openapi import add_shared_answers
from api.parser import JsonParser
from api.renderers import renderer

DESCRIPTION = f"""
The CRM activities of Spotkania over HTTP: the same rules as the web pages.

Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>` with
every other request (401 without it). Permissions are those of the pages (403 otherwise).
A token revoked here or on the profile page stops at once; one revoked by an
administrator, or whose user was deactivated, may still work for up to
{TOKEN_CACHE_SECONDS} seconds, and a change of the user's role, team or time zone applies
as late.
Datetimes are ISO 8601 with an offset; money is `{{"amount": "120.50", "currency": "PLN"}}`
or null. A request body must be `application/json` (415 otherwise) and at most 2.5 MB
(413). Lists answer `{{"items": [...], "count": N}}` with `page` and `page_size` (max 200).

{errors.ERROR_DESCRIPTION} Unknown ids answer 404, conflicts with the state of the data 409.
"""


class SpotkaniaApi(NinjaAPI):
    """ninja's API, its document completed with the answers of the layers around the
    endpoints (api/openapi.py)."""

    def get_openapi_schema(self, **kwargs):
        return add_shared_answers(super().get_openapi_schema(**kwargs))


api = SpotkaniaApi(
    title="Spotkania API",
    version="1.0.0",
    description=DESCRIPTION,
    auth=BearerToken(),
    renderer=renderer,
    parser=JsonParser(),
    urls_namespace="api-v1",
    # Swagger UI from ninja's own static files; no validator badge fetched from the web.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

api.add_router("/auth", auth.router)
api.add_router("/", customers.router)
api.add_router("/", employees.router)
api.add_router("/", dictionaries.router)
api.add_router("/", activities.router)
api.add_router("/", schedule.router)
api.add_router("/", reports.router)
