from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("contact-options/", views.contact_options, name="contact_options"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/end/", views.activity_end, name="end"),
    path("<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("<int:pk>/reopen/", views.activity_reopen, name="reopen"),
    path("<int:pk>/follow-up/", views.activity_follow_up, name="follow_up"),
]
