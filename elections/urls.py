from django.urls import path

from . import views

app_name = "elections"

urlpatterns = [
    path("elections/", views.election_list, name="election_list"),
    path("elections/<int:election_id>/", views.election_detail, name="election_detail"),
    path("elections/<int:election_id>/stand/", views.election_stand, name="election_stand"),
    path(
        "elections/<int:election_id>/nominate/",
        views.election_nominate,
        name="election_nominate",
    ),
    path("elections/<int:election_id>/vote/", views.election_vote, name="election_vote"),
    path("elections/<int:election_id>/receipt/", views.receipt_check, name="receipt_check"),
]
