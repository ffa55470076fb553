from django.contrib import admin
from django.urls import include, path

from collab import views
from collab.projects import views as project_views

admin.site.site_header = "Collab administration"
admin.site.site_title = "Collab admin"

handler403 = "collab.views.permission_denied"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("collab.notifications.urls")),
    path("snags/", include("parkinglot.urls")),
    path("projects/", include("collab.projects.urls")),
    path("changes/", project_views.change_feed, name="changes"),
    path("", include("liaison.urls")),
    path("reviews/", include("reviews.urls")),
    path("pulse/", include("reviews.pulse_urls")),
    path("", include("collab.dashboard.urls")),
]
