"""Routing rules and both assignment strategies."""
import pytest

from chalicelib.domain.routing import (
    Destination, RoutingRule, Strategy, choose_assignee, fewest_open, round_robin, route,
)

RULES = [
    RoutingRule(category="billing", department="finance", group="invoices"),
    RoutingRule(category="billing", department="finance", group="refunds", keywords=("بازپرداخت", "refund", "החזר")),
    RoutingRule(category="technical", department="support", group="tier1"),
    RoutingRule(category="technical", department="support", group="printers", keywords=("چاپگر", "print out")),
]


@pytest.mark.parametrize("category,subject,destination", [
    ("billing", "Question about my invoice", Destination("finance", "invoices")),
    ("billing", "Please REFUND order 42", Destination("finance", "refunds")),
    ("billing", "درخواست بازپرداخت وجه", Destination("finance", "refunds")),
    ("billing", "בקשת החזר כספי", Destination("finance", "refunds")),
    ("billing", "refunded? no: a refundable deposit", Destination("finance", "invoices")),  # whole words only
    ("technical", "چاپگر كار نمي‌كند", Destination("support", "printers")),  # Arabic kaf/yeh still match
    ("technical", "cannot print out the report", Destination("support", "printers")),  # phrase keyword
    ("technical", "VPN down", Destination("support", "tier1")),
])
def test_routing_prefers_keyword_rules_then_the_category_default(category, subject, destination):
    assert route(RULES, category, subject) == destination


def test_no_rule_for_the_category_routes_nowhere():
    assert route(RULES, "sales", "anything") is None


def test_round_robin_cycles_in_a_stable_order():
    members = ["sara", "avi", "maryam"]
    picks, last = [], None
    for _ in range(4):
        last = round_robin(members, last)
        picks.append(last)
    assert picks == ["avi", "maryam", "sara", "avi"]
    assert round_robin(members, "someone-who-left") == "avi"
    assert round_robin([], None) is None


def test_fewest_open_picks_the_least_loaded_and_breaks_ties_stably():
    assert fewest_open(["sara", "avi", "maryam"], {"sara": 1, "avi": 3, "maryam": 1}) == "maryam"
    assert fewest_open(["sara", "avi"], {}) == "avi"
    assert choose_assignee(Strategy.FEWEST_OPEN, ["a", "b"], open_counts={"a": 2}) == "b"
    assert choose_assignee(Strategy.ROUND_ROBIN, ["a", "b"], last_assigned="a") == "b"
