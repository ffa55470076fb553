from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "collab.accounts"
    label = "accounts"
    verbose_name = "People and roles"

    def ready(self) -> None:
        from django.core import checks

        from collab.accounts import signals  # noqa: F401 - connects the security-log receivers
        from collab.accounts.sso import check_issuer_set

        checks.register(check_issuer_set, checks.Tags.security)
