from django.urls import path

from parkinglot import views

app_name = "parkinglot"
urlpatterns = [
    path("", views.index, name="index"),
]
