from django.contrib import admin
from django.urls import include, path

from collab import views
from collab.api import urls as api_urls
from collab.projects import views as project_views

admin.site.site_header = "Collab administration"
admin.site.site_title = "Collab admin"

handler403 = "collab.views.permission_denied"
handler404 = "collab.views.page_not_found"
handler400 = "collab.views.bad_request"
handler500 = "collab.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api_urls()),
    path("", include("collab.accounts.urls")),
    path("", include("collab.accounts.sso_urls")),  # login/logout with single sign-on, before Django's
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("collab.notifications.urls")),
    path("snags/", include("parkinglot.urls")),
    path("projects/", include("collab.projects.urls")),
    path("changes/", project_views.change_feed, name="changes"),
    path("tools/", include("collab.projects.tools.urls")),
    path("", include("liaison.urls")),
    path("reviews/", include("reviews.urls")),
    path("pulse/", include("reviews.pulse_urls")),
    path("", include("collab.dashboard.urls")),
]
