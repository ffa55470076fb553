from django.urls import path

from collab.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
]
