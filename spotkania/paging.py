"""One way to paginate every list page: `?page=N`, out-of-range pages clamp to the last."""

from django.core.paginator import Page, Paginator


def paginate(request, queryset, per_page: int) -> Page:
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current query string minus `page`, for building page links that keep filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
