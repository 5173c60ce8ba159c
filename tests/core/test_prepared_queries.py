"""Prepared querysets (core/prepared_queries.py) give exactly what the same queryset gives
through the ORM, with each call's own values, and build and compile only once."""

import pytest

from core.prepared_queries import Prepared
from governance import selectors
from members.models import User
from members.selectors import _user_for_request_query, user_for_request


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_requests_user_comes_with_member_permissions_and_second_factor_need(
    make_member, coordinator
):
    for member in (make_member(), coordinator):
        prepared = user_for_request(member.user_id)
        built = _user_for_request_query(user_id=member.user_id).get()
        assert fields(prepared) == fields(built)
        assert fields(prepared.member) == fields(built.member)
        for name in ("user_permission_names", "group_permission_names"):
            assert sorted(getattr(prepared, name)) == sorted(getattr(built, name))
        assert prepared.role_requires_second_factor == built.role_requires_second_factor
    assert coordinator.user.has_perm("members.approve_membership")
    assert user_for_request(coordinator.user_id).has_perm("members.approve_membership")
    assert user_for_request(10**12) is None
    assert user_for_request("not a number") is None


def test_motions_for_a_member_match_the_orm(make_member, make_motion):
    voter, ally_like = make_member(), make_member()
    motions = [make_motion(), make_motion(), make_motion(open=False)]
    from governance import services

    services.ballot_cast(motion_id=motions[0].pk, voter=voter, choice="yes")
    for member in (voter, ally_like):
        prepared = selectors.motions_for_member(member)
        built = list(selectors._motions_for_member_query(member_id=member.pk))
        key = lambda m: m.pk  # noqa: E731
        assert [
            (m.pk, m.on_roll, m.has_voted, m.box_id, m.title) for m in sorted(prepared, key=key)
        ] == [(m.pk, m.on_roll, m.has_voted, m.box_id, m.title) for m in sorted(built, key=key)]
        assert motions[2].pk not in {m.pk for m in prepared}  # drafts stay hidden
    first = selectors.motion_for_member(motions[0].pk, voter)
    assert first.has_voted and first.box.roll_size == 2
    assert selectors.motion_for_member(motions[2].pk, voter) is None


def test_built_once_and_an_argument_that_reaches_no_sql_is_refused(db):
    calls = []

    def build(user_id):
        calls.append(user_id)
        return User.objects.filter(pk=user_id)

    prepared = Prepared(build, "user_id")
    assert prepared(user_id=1) == [] and prepared(user_id=2) == []
    assert len(calls) == 1
    with pytest.raises(ValueError, match="do not reach the SQL"):
        Prepared(lambda user_id: User.objects.all(), "user_id")(user_id=1)
