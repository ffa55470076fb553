from django.urls import path

from reviews import pulse_views

app_name = "pulse"
urlpatterns = [
    path("", pulse_views.index, name="index"),
    path("<int:pk>/", pulse_views.detail, name="detail"),
    path("open/<int:year>/q<int:quarter>/", pulse_views.open_for_review, name="open"),
]
