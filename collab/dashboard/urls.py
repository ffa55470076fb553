from django.urls import path

from collab.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("panels/<slug:key>/", views.panel, name="panel"),
]
