from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [path("", views.import_page, name="page")]
