"""`page` and `page_size` of every list endpoint, answering {"items": [...], "count": N}."""

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_PAGE_SIZE = 200


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="1 = first page.")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


def page_of(queryset: QuerySet, params: PageParams) -> tuple[list, int]:
    """One page of `queryset` and the number of all its rows (two queries)."""
    start = (params.page - 1) * params.page_size
    return list(queryset[start : start + params.page_size]), queryset.count()
