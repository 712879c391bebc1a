from django.http import Http404
from django.urls import path

from customers import views

app_name = "customers"


def _todo(request, *args, **kwargs):  # replaced by the customers pages this session
    raise Http404


urlpatterns = [
    path("", _todo, name="list"),
    path("<int:pk>/", _todo, name="detail"),
    path("search/", views.customer_search_json, name="search"),
]
