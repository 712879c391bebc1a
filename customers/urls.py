from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("search/", views.customer_search_json, name="search"),
    path("<id:pk>/", views.customer_detail, name="detail"),
    path("<id:pk>/costs/", views.customer_costs, name="costs"),
    path("<id:pk>/edit/", views.customer_update, name="update"),
    path("<id:pk>/delete/", views.customer_delete, name="delete"),
    path("<id:customer_pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<id:pk>/edit/", views.contact_update, name="contact_update"),
]
