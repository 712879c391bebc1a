from django.urls import path

from schedule import views

app_name = "schedule"

urlpatterns = [
    path("", views.schedule_home, name="home"),
    path("team/", views.team_schedule, name="team"),
    path("employee/<id:employee_id>/", views.employee_schedule, name="employee"),
    path("employee/<id:employee_id>/events/", views.schedule_events, name="events"),
    path("move/<id:pk>/", views.activity_move, name="move"),
    path("activity/<id:pk>.ics", views.activity_ics, name="activity_ics"),
    path("feed/", views.feed_settings, name="feed_settings"),
    # Public: calendar programs have no session (the view is login_not_required).
    path("feed/<str:token>.ics", views.calendar_feed, name="feed"),
]
