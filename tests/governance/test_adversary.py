"""The adversary of test_unlinkability.py would see a leak where there is one: fed what the
old ballot box left behind (the receipt's hash written in the voter's own transaction, a
statement spelling both), it links every voter."""

from .adversary import Observation, Truth, facts_in_text, links, order_links

TRUTH = Truth(box_id=7, receipt_of={m: bytes([m]) * 32 for m in range(1, 201)})


def test_a_receipt_in_the_voters_transaction_links_every_voter():
    observations = []
    for member, receipt in TRUTH.receipt_of.items():
        observations.append(Observation("voter row", {f"x{member}"}, members={member}))
        observations.append(Observation("ballot", {f"x{member}"}, receipts={receipt}))
    assert links(observations, TRUTH) == {"claimed": 200, "correct": 200}


def test_a_statement_naming_member_and_receipt_links_them():
    receipt = TRUTH.receipt_of[42]
    members, receipts = facts_in_text(f"SELECT cast(7, 42, '\\\\x{receipt.hex()}')", TRUTH)
    assert (members, receipts) == ({7, 42}, {receipt})
    members, receipts = facts_in_text("SELECT ballot_box_cast($1, $2, $3)", TRUTH)
    assert (members, receipts) == (set(), set())


def test_a_close_in_one_transaction_links_nobody():
    observations = [Observation("voter row", {f"x{m}"}, members={m}) for m in TRUTH.receipt_of]
    observations += [
        Observation("counted", {"close"}, receipts={r}) for r in TRUTH.receipt_of.values()
    ]
    assert links(observations, TRUTH)["correct"] == 0


def test_physical_order_links_everyone_unless_shuffled():
    members = list(TRUTH.receipt_of)
    assert order_links(members, [TRUTH.receipt_of[m] for m in members], TRUTH) == 200
    assert order_links(members, [TRUTH.receipt_of[m] for m in reversed(members)], TRUTH) == 0
