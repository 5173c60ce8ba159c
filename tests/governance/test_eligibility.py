import pytest
from django.core.exceptions import ValidationError

from members import eligibility
from members.models import MembershipState, Status


@pytest.mark.parametrize(
    "status,state,code",
    [
        (Status.SEX_WORKER, MembershipState.ACTIVE, None),
        (Status.ALLY, MembershipState.ACTIVE, "not_sex_worker"),
        (Status.SEX_WORKER, MembershipState.APPLIED, "membership_not_active"),
        (Status.SEX_WORKER, MembershipState.SUSPENDED, "membership_not_active"),
        (Status.SEX_WORKER, MembershipState.LAPSED, "membership_not_active"),
        (Status.SEX_WORKER, MembershipState.RESIGNED, "membership_not_active"),
    ],
)
def test_the_rule(make_member, status, state, code):
    member = make_member(status=status, state=state)
    error = eligibility.eligibility_error(member)
    assert (error.code if error else None) == code
    assert eligibility.is_eligible(member) is (code is None)
    if code:
        with pytest.raises(ValidationError) as excinfo:
            eligibility.ensure_eligible(member)
        assert excinfo.value.code == code


def test_nobody_is_not_eligible():
    assert eligibility.is_eligible(None) is False
