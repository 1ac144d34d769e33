from django.urls import path

from chihuy.briefings import views

app_name = "briefings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.briefing_create, name="create"),
    path("settings/", views.settings_edit, name="settings"),
    path("ensure/", views.ensure_upcoming, name="ensure"),
    path("stats/", views.stats, name="stats"),
    path("<int:pk>/", views.briefing_detail, name="detail"),
    path("<int:pk>/change/", views.briefing_change, name="change"),
    path("<int:pk>/cancel/", views.briefing_cancel, name="cancel"),
    path("<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("<int:pk>/participants/<int:ppk>/move/", views.participant_move, name="participant_move"),
    path("<int:pk>/participants/<int:ppk>/remove/", views.participant_remove, name="participant_remove"),
    path("<int:pk>/points/<int:point_pk>/", views.point_attendees, name="point"),
    path("<int:pk>/absence/", views.absence_request, name="absence_request"),
    path("<int:pk>/absence/<int:absence_pk>/decide/", views.absence_decide, name="absence_decide"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/minutes/", views.minutes_page, name="minutes"),
    path("<int:pk>/minutes/build/", views.agenda_build, name="agenda_build"),
    path("<int:pk>/minutes/items/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/minutes/items/<int:item_pk>/move/", views.agenda_move, name="agenda_move"),
    path("<int:pk>/minutes/items/<int:item_pk>/notes/", views.agenda_notes, name="agenda_notes"),
    path("<int:pk>/minutes/items/<int:item_pk>/delete/", views.agenda_delete, name="agenda_delete"),
    path("<int:pk>/minutes/conclusions/", views.conclusion_add, name="conclusion_add"),
    path("<int:pk>/minutes/conclusions/<int:cpk>/task/", views.conclusion_task, name="conclusion_task"),
    path("<int:pk>/minutes/conclusions/<int:cpk>/delete/", views.conclusion_delete, name="conclusion_delete"),
    path("<int:pk>/minutes/summary/", views.minutes_summary, name="minutes_summary"),
    path("<int:pk>/minutes/publish/", views.minutes_publish, name="minutes_publish"),
    path("<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
]
