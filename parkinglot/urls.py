from django.urls import path

from parkinglot import views

app_name = "parkinglot"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.new, name="new"),
    path("board/", views.board, name="board"),
    path("review/", views.review, name="review"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/comments/", views.comment, name="comment"),
    path("<str:code>/comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("<str:code>/me-too/", views.me_too, name="me_too"),
    path("<str:code>/assign/", views.assign, name="assign"),
]
