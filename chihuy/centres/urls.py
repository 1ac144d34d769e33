from django.urls import path

from chihuy.centres import views

app_name = "centres"
urlpatterns = [
    path("", views.home, name="home"),
    path("centres/switch/", views.switch, name="switch"),
    path("centres/", views.centre_list, name="list"),
    path("centres/<int:pk>/", views.centre_detail, name="detail"),
    path("centres/<int:pk>/edit/", views.centre_edit, name="edit"),
    path("centres/<int:pk>/files/<slug:which>/", views.document_download, name="document"),
    path("centres/<int:pk>/coverage/", views.centre_coverage, name="coverage"),
    path("centres/<int:pk>/status/", views.centre_status, name="status"),
    path("centres/<int:pk>/children/new/", views.child_create, name="child_create"),
    path("centres/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("centres/<int:pk>/agencies/new/", views.agency_create, name="agency_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/delete/", views.agency_delete, name="agency_delete"),
]
