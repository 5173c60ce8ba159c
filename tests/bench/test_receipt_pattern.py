"""The benchmark reads receipt codes out of the receipt page to check that every accepted
vote was counted; if the page changes shape, the benchmark must not silently count none."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from bench.load import RECEIPT
from governance import receipts


def test_benchmark_finds_the_receipt_on_the_receipt_page(make_motion):
    code = receipts.new_code()
    request = RequestFactory().get("/")
    request.csp_nonce = "x"
    html = render_to_string(
        "governance/motion_receipt.html",
        {"motion_id": make_motion().pk, "code": code},
        request=request,
    )
    match = RECEIPT.search(html)
    assert match is not None
    assert match.group(1) == code
