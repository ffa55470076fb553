from django.urls import path

from liaison import views

app_name = "liaison"
M = "meetings/<int:pk>/"
urlpatterns = [
    path("liaisons/", views.liaisons, name="liaisons"),
    path("liaisons/new/", views.assignment_create, name="assignment_create"),
    path("liaisons/assignments/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("liaisons/assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("liaisons/assignments/<int:pk>/checkins/", views.checkin_add, name="checkin_add"),
    path("liaisons/people/<str:username>/", views.person, name="person"),
    path("liaisons/people/<str:username>/log/", views.log_add, name="log_add"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/calendar/", views.calendar, name="calendar"),
    path("meetings/calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("meetings/series/new/", views.series_create, name="series_create"),
    path("meetings/series/<int:pk>/", views.series, name="series"),
    path("meetings/series/<int:pk>/new/", views.meeting_create, name="meeting_create"),
    path("meetings/actions/<int:pk>/done/", views.action_done, name="action_done"),
    path(M, views.meeting, name="meeting"),
    path(M + "invite.ics", views.meeting_ics, name="meeting_ics"),
    path(M + "agenda/add/", views.agenda_add, name="agenda_add"),
    path(M + "agenda/reorder/", views.agenda_reorder, name="agenda_reorder"),
    path(M + "agenda/<int:item_pk>/tick/", views.agenda_tick, name="agenda_tick"),
    path(M + "agenda/<int:item_pk>/move/", views.agenda_move, name="agenda_move"),
    path(M + "agenda/<int:item_pk>/remove/", views.agenda_remove, name="agenda_remove"),
    path(M + "notes/", views.notes_save, name="notes"),
    path(M + "attendees/", views.attendees_save, name="attendees"),
    path(M + "status/", views.status_save, name="status"),
    path(M + "actions/add/", views.action_add, name="action_add"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
