from django.urls import path

from reviews import views

app_name = "reviews"
Q = "<int:year>/q<int:quarter>/"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path(Q, views.detail, name="detail"),
    path(Q + "items/add/", views.item_add, name="item_add"),
    path(Q + "items/suggested/", views.suggestion_add, name="suggestion_add"),
    path(Q + "suggestions/", views.suggestions, name="suggestions"),
    path(Q + "items/reorder/", views.reorder, name="reorder"),
    path(Q + "items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path(Q + "items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path(Q + "items/<int:pk>/move/", views.item_move, name="item_move"),
    path(Q + "status/", views.transition, name="transition"),
    path(Q + "inputs/<str:team>/", views.input_submit, name="input_submit"),
    path(Q + "minutes/", views.minutes_save, name="minutes_save"),
    path(Q + "minutes/corrections/", views.addendum_add, name="addendum_add"),
    path(Q + "decisions/add/", views.decision_add, name="decision_add"),
    path(Q + "actions/add/", views.action_add, name="action_add"),
    path(Q + "actions/<int:pk>/done/", views.action_done, name="action_done"),
    path(Q + "print/", views.export_print, name="print"),
    path(Q + "export.md", views.export_markdown, name="markdown"),
    path(Q + "export.pdf", views.export_pdf, name="pdf"),
    path(Q + "invite.ics", views.export_ics, name="ics"),
]
