"""The results page reads right: shares on the base the majority rule uses (abstentions
apart), quorum reached against required, the actual close time, a table beside the chart,
and a print stylesheet."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from governance import services
from governance.models import MajorityRule
from tests import agreements


def published_motion(make_member, make_motion, votes, **fields):
    voters = [make_member() for _ in votes]
    make_member()  # on the roll, does not vote
    motion = make_motion(**fields)
    for voter, choice in zip(voters, votes, strict=True):
        services.ballot_cast(motion_id=motion.pk, voter=voter, choice=choice)
    agreements.motion_close(motion_id=motion.pk)
    agreements.motion_publish(motion_id=motion.pk)
    motion.refresh_from_db()
    return voters[0], motion


def table_rows(html: str) -> dict[str, list[str]]:
    table = html[html.index('<table class="results">') : html.index("</table>")]
    return {
        label: [cell.strip() for cell in cells]
        for label, cells in (
            (row[0], re.findall(r"<td>(.*?)</td>", row[1]))
            for row in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table)
        )
    }


def test_two_thirds_rule_with_abstentions_shows_the_shares_the_rule_used(
    client, make_member, make_motion
):
    member, motion = published_motion(
        make_member,
        make_motion,
        ["yes", "yes", "no", "abstain"],
        majority=MajorityRule.TWO_THIRDS,
        quorum_percent=50,
    )
    assert motion.outcome == "adopted"
    client.force_login(member.user)
    html = client.get(reverse("governance:motion_detail", args=[motion.pk])).content.decode()
    rows = table_rows(html)
    # 2 of the 3 yes-and-no votes: 67%, not 2 of 4 ballots (50%).
    assert rows["Yes"] == ["2", "67%"]
    assert rows["No"] == ["1", "33%"]
    assert rows["Abstain"] == ["1", "apart"]
    assert "(50%)" not in html.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "abstentions count toward the quorum only" in html
    # Quorum reached (4 of 5 on the roll: 80%) against required (50%).
    assert "4 / 5 (80%)" in html
    assert "80% took part, 50% required" in html
    # The actual close time, not only the planned window.
    closed = formats.date_format(timezone.localtime(motion.closed_at), "DATETIME_FORMAT")
    assert f"<dt>Voting closed</dt><dd>{closed}</dd>" in html


def test_absolute_rule_shows_shares_of_the_whole_roll(client, make_member, make_motion):
    member, motion = published_motion(
        make_member, make_motion, ["yes", "no", "abstain"], majority=MajorityRule.ABSOLUTE
    )
    client.force_login(member.user)
    html = client.get(reverse("governance:motion_detail", args=[motion.pk])).content.decode()
    rows = table_rows(html)
    assert rows["Yes"] == ["1", "25%"]  # 1 of the 4 on the roll
    assert "Shares of the whole electoral roll (4 members)" in html


def test_results_are_printable():
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text()
    print_rules = css[css.index("@media print") :]
    for hidden in (".site-header", ".site-footer", ".quick-exit", "main form"):
        assert hidden in print_rules
