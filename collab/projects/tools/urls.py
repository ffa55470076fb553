from django.urls import path

from collab.projects.tools import views

app_name = "tools"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.transition, name="transition"),
    path("<int:pk>/integrations/", views.integration_add, name="integration_add"),
    path("integrations/<int:pk>/remove/", views.integration_remove, name="integration_remove"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/project/", views.request_project, name="request_project"),
]
