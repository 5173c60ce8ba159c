from django.urls import path

from . import data_rights_views, views

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("apply/sent/", views.apply_done, name="apply_done"),
    path("apply/confirmed/", views.apply_confirmed, name="apply_confirmed"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/renew/", views.renew, name="renew"),
    path("profile/", views.profile, name="profile"),
    path("profile/status/", views.status_change, name="status_change"),
    path("profile/notices/", views.notice_choices, name="notice_choices"),
    path("profile/data/", data_rights_views.data_rights, name="data_rights"),
    path("profile/data/export/", data_rights_views.data_export, name="data_export"),
    path("profile/leave/", data_rights_views.leave, name="leave"),
    path("left/", data_rights_views.left, name="left"),
    path("profile/resign/", data_rights_views.resign, name="resign"),
    path("resigned/", data_rights_views.resigned, name="resigned"),
    path("exit/", views.quick_exit, name="quick_exit"),
    path("privacy/", views.privacy, name="privacy"),
    path("coordinator/", views.coordinator_queue, name="coordinator_queue"),
    path("coordinator/members/", views.coordinator_members, name="coordinator_members"),
    path(
        "coordinator/members/<int:member_id>/",
        views.membership_state_decide,
        name="membership_state_decide",
    ),
    path(
        "coordinator/applications/<int:application_id>/",
        views.application_decide,
        name="application_decide",
    ),
    path(
        "coordinator/status-changes/<int:request_id>/",
        views.status_change_decide,
        name="status_change_decide",
    ),
]
