from django.urls import path

from dictionaries import views

app_name = "dictionaries"

# <dictionary> is "priorities" or "categories" (views.DICTIONARIES); any other slug is a 404.
urlpatterns = [
    path("<slug:dictionary>/", views.dictionary_page, name="list"),
    path("<slug:dictionary>/add/", views.entry_add, name="add"),
    path("<slug:dictionary>/<id:pk>/edit/", views.entry_edit, name="edit"),
    path("<slug:dictionary>/<id:pk>/<slug:action>/", views.entry_action, name="action"),
]
