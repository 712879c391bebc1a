from django.urls import path

from employees import views

app_name = "employees"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<id:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
