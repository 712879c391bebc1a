from django.urls import path

from dictionaries import currency_views as views

app_name = "currencies"

urlpatterns = [
    path("", views.currency_list, name="list"),
    path("add/", views.currency_add, name="add"),
    path("<str:code>/rates/", views.rate_list, name="rates"),
    path("<str:code>/rates/<str:day>/edit/", views.rate_edit, name="rate_edit"),
    path("<str:code>/<slug:action>/", views.currency_action, name="action"),
]
