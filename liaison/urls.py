from django.urls import path

from liaison import views

app_name = "liaison"
urlpatterns = [
    path("liaisons/", views.liaisons, name="liaisons"),
    path("meetings/", views.meetings, name="meetings"),
]
