from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "collab.projects"
    label = "projects"
    verbose_name = "Joint projects"

    def ready(self) -> None:
        from collab.notifications import registry
        from collab.projects import kinds

        for kind in (*kinds.EVENT_KINDS, *kinds.REMINDER_KINDS):
            registry.register(kind)
