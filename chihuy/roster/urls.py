from django.urls import path

from chihuy.roster import views

app_name = "roster"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.my_shifts, name="mine"),
    path("centres/<int:pk>/", views.centre_calendar, name="centre"),
    path("centres/<int:pk>/generate/", views.roster_generate, name="generate"),
    path("centres/<int:pk>/on-duty/", views.on_duty, name="on_duty"),
    path("centres/<int:pk>/feed/", views.centre_feed_link, name="centre_feed"),
    path("centres/<int:pk>/settings/", views.roster_settings, name="settings"),
    path("centres/<int:pk>/settings/rules/", views.roster_settings_save, name="settings_save"),
    path("centres/<int:pk>/settings/shifts/", views.roster_shifts_save, name="shifts_save"),
    path("centres/<int:pk>/settings/staffing/", views.roster_staffing_save, name="staffing_save"),
    path("centres/<int:pk>/leave/", views.centre_leave, name="centre_leave"),
    path("leave/", views.leave_mine, name="leave_mine"),
    path("leave/<int:pk>/delete/", views.leave_delete, name="leave_delete"),
    path("members/<int:pk>/", views.person_calendar, name="person"),
    path("rosters/<int:pk>/", views.roster_detail, name="detail"),
    path("rosters/<int:pk>/publish/", views.roster_publish, name="publish"),
    path("rosters/<int:pk>/delete/", views.roster_delete, name="delete"),
    path("rosters/<int:pk>/print.pdf", views.export_pdf, name="pdf"),
    path("rosters/<int:pk>/roster.xlsx", views.export_xlsx, name="xlsx"),
    path("assignments/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/check-in/", views.checkin, name="checkin"),
    path("assignments/<int:pk>/take-over/", views.take_over, name="take_over"),
    path("assignments/<int:pk>/swap/", views.swap_create, name="swap_create"),
    path("swaps/<int:pk>/<str:decision>/", views.swap_decide, name="swap_decide"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical"),
]
