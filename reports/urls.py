from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("costs/", views.cost_report_page, name="costs"),
    path("costs/export.csv", views.cost_report_csv, name="costs_csv"),
    path("costs/export.xlsx", views.cost_report_xlsx, name="costs_xlsx"),
]
