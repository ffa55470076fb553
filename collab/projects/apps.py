from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "collab.projects"
    label = "projects"
    verbose_name = "Joint projects"
