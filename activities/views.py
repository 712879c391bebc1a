"""Pages of CRM activities: thin views over the services and selectors."""

from django.conf import settings
from django.template.response import TemplateResponse

from activities.forms import ActivityFilterForm
from activities.selectors import activity_list as select_activities
from spotkania.paging import paginate, query_without_page


def activity_list(request):
    """All activities across customers, newest first, with the shared filters."""
    filter_form = ActivityFilterForm(request.GET or None)
    activities = select_activities(filters=filter_form.to_filters())
    context = {
        "nav": "activities",
        "filter_form": filter_form,
        "page_obj": paginate(request, activities, settings.ACTIVITY_PAGE_SIZE),
        "query": query_without_page(request),
    }
    template = "activities/activity_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#activity-table"
    return TemplateResponse(request, template, context)
