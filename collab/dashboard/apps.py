from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "collab.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
