from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "collab.lib"
    label = "lib"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from collab.lib.search import trigram_threshold

        connection_created.connect(trigram_threshold, dispatch_uid="collab.lib.search.trigram_threshold")
