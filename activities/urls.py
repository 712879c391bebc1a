from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("contact-options/", views.contact_options, name="contact_options"),
    path("<id:pk>/", views.activity_detail, name="detail"),
    path("<id:pk>/edit/", views.activity_edit, name="edit"),
    path("<id:pk>/end/", views.activity_end, name="end"),
    path("<id:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("<id:pk>/reopen/", views.activity_reopen, name="reopen"),
    path("<id:pk>/follow-up/", views.activity_follow_up, name="follow_up"),
]
