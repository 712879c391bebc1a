from django.http import Http404
from django.urls import path

app_name = "dictionaries"


def _todo(request, *args, **kwargs):  # replaced by the dictionary pages this session
    raise Http404


urlpatterns = [
    path("<slug:dictionary>/", _todo, name="list"),
]
