from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "collab.projects"
    label = "projects"
    verbose_name = "Joint projects"

    def ready(self) -> None:
        from collab.lib import search
        from collab.notifications import registry
        from collab.projects import kinds, selectors
        from collab.projects.tools import kinds as tool_kinds
        from collab.projects.tools import selectors as tool_selectors

        for kind in (*kinds.EVENT_KINDS, *kinds.REMINDER_KINDS, *tool_kinds.EVENT_KINDS, *tool_kinds.REMINDER_KINDS):
            registry.register(kind)
        search.register(search.Provider(kind="project", label="Projects", order=20, search=selectors.search_projects))
        search.register(search.Provider(kind="goal", label="Goals", order=30, search=selectors.search_goals))
        search.register(search.Provider(kind="tool", label="Tools", order=70, search=tool_selectors.search_tools))
        search.register(
            search.Provider(
                kind="tool_request", label="Tool requests", order=75, search=tool_selectors.search_tool_requests
            )
        )
