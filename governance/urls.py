from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("motions/", views.motion_list, name="motion_list"),
    path("motions/<int:motion_id>/", views.motion_detail, name="motion_detail"),
    path("motions/<int:motion_id>/vote/", views.motion_vote, name="motion_vote"),
    path("motions/<int:motion_id>/vote/receipt/", views.motion_receipt, name="motion_receipt"),
    path("motions/<int:motion_id>/receipt/", views.receipt_check, name="receipt_check"),
    path("motions/<int:motion_id>/receipts/", views.counted_receipts, name="counted_receipts"),
    path("committee/", views.committee, name="committee"),
    path("spokespersons/", views.spokespersons, name="spokespersons"),
    path("spokespersons/mine/", views.my_assignments, name="my_assignments"),
    path(
        "spokespersons/mine/<int:assignment_id>/end/",
        views.assignment_end,
        name="assignment_end",
    ),
    path(
        "coordinator/spokespersons/",
        views.coordinator_spokespersons,
        name="coordinator_spokespersons",
    ),
    path(
        "coordinator/spokespersons/<int:assignment_id>/decide/",
        views.assignment_decide,
        name="assignment_decide",
    ),
    path(
        "coordinator/spokespersons/<int:assignment_id>/revoke/",
        views.assignment_revoke,
        name="assignment_revoke",
    ),
    path("coordinator/seats/", views.coordinator_seats, name="coordinator_seats"),
    path(
        "coordinator/seats/<int:act_id>/decide/",
        views.seat_act_decide,
        name="seat_act_decide",
    ),
]
