"""`page` and `page_size` of every list endpoint, answering {"items": [...], "count": N}.

`count` is exact up to 10 000 rows and stops there (spotkania.paging.COUNT_LIMIT): a
count of 10 000 means "10 000 or more". Counting a million rows exactly would cost more
than the page itself; a client that needs everything pages until a page comes back
short, or narrows its filters.
"""

from django.db.models import QuerySet
from ninja import Field, Schema

from spotkania.paging import bounded_count

MAX_PAGE_SIZE = 200


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="1 = first page.")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


def page_of(queryset: QuerySet, params: PageParams) -> tuple[list, int]:
    """One page of `queryset` and the number of its rows up to 10 000 (two queries)."""
    start = (params.page - 1) * params.page_size
    return list(queryset[start : start + params.page_size]), bounded_count(queryset)[0]
