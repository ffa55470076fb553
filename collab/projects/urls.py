from django.urls import path

from collab.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/<int:pk>/move/", views.ranking_move, name="ranking_move"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.transition, name="transition"),
    path("<int:pk>/requirements/", views.requirements_edit, name="requirements_edit"),
    path("<int:pk>/requirements/diff/", views.requirements_diff, name="requirements_diff"),
    path("<int:pk>/signoff/<str:department>/", views.signoff, name="signoff"),
    path("<int:pk>/change-requests/", views.change_request_add, name="change_request_add"),
    path("<int:pk>/change-requests/<int:cr>/decide/", views.change_request_decide, name="change_request_decide"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/reschedule/", views.milestone_reschedule, name="milestone_reschedule"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("goals/", views.goal_list, name="goal_list"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
]
