from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "collab.lib"
    label = "lib"
    verbose_name = "Shared helpers"
