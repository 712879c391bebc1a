"""`page` and `page_size` of every list endpoint, answering {"items": [...], "count": N}.

`count` is exact up to 10 000 rows and stops there (spotkania.paging.COUNT_LIMIT): a
count of 10 000 means "10 000 or more". Counting a million rows exactly would cost more
than the page itself; a client that needs everything pages until a page comes back
short, or narrows its filters.
"""

from django.db.models import QuerySet
from ninja import Field, Schema

from spotkania import paging

MAX_PAGE_SIZE = 200


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="1 = first page.")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


def page_of(
    queryset,
    params: PageParams,
    *,
    rows_of=None,
    count_queryset: QuerySet | None = None,
    page_ids=None,
) -> tuple[list, int]:
    """One page of `queryset` (model instances, or what `rows_of` reads of the page's
    ids: see spotkania.paging.rows_by_ids) and the number of its rows up to 10 000
    (counted on `count_queryset` when given: the same rows in a shape that counts
    faster, see spotkania.paging.BoundedPaginator).

    Two queries (three when the page is read by ids, with `page_ids` or `rows_of`: see
    spotkania.paging.rows_by_ids); one fewer
    when the page is the last one and not empty (or the first and empty): the rows
    before it and on it are then all there are."""
    start = (params.page - 1) * params.page_size
    if page_ids is not None or rows_of is not None:
        page = paging.rows_by_ids(
            queryset, start, start + params.page_size, page_ids=page_ids, rows_of=rows_of
        )
    else:
        page = list(queryset[start : start + params.page_size])
    if len(page) < params.page_size and (page or start == 0):
        return page, min(start + len(page), paging.COUNT_LIMIT)
    return page, paging.bounded_count(queryset if count_queryset is None else count_queryset)[0]
