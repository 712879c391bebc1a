from django.urls import path

from employees import views

app_name = "employees"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("employees/search/", views.employee_search_json, name="search"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<id:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
