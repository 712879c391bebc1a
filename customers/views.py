"""Pages of customers and their contact persons: thin views over selectors and services."""

from django.http import JsonResponse

from customers.selectors import customer_search

SEARCH_LIMIT = 20


def customer_search_json(request):
    """Active customers matching `q`, for searchable selects: {"results": [{id, text}]}."""
    customers = customer_search(q=request.GET.get("q", "")[:100], active_only=True)
    results = [
        {"id": c.pk, "text": f"{c.name} ({c.code})"}
        for c in customers.only("id", "name", "code")[:SEARCH_LIMIT]
    ]
    return JsonResponse({"results": results})
