"""Login and logout (with single sign-on). Included before django.contrib.auth.urls, so these win; no namespace,
because templates and settings name them ``login`` and ``logout``."""

from django.urls import path

from collab.accounts import sso

urlpatterns = [
    path("accounts/login/", sso.login_view, name="login"),
    path("accounts/logout/", sso.logout_view, name="logout"),
    path("accounts/sso/start/", sso.sso_start, name="sso_start"),
    path("accounts/sso/callback/", sso.sso_callback, name="sso_callback"),
]
