"""Customer tiers in the SLA policy: who belongs to a tier (an exact address or a whole domain, case-insensitive,
the first tier that lists them), which promise wins per priority (tier, then department, then the policy's
targets), what the ticket keeps when it is re-targeted, and the field paths of a bad tier."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.sla import MAX_TIER_ENTRIES, MAX_TIERS, SlaPolicy, Target, sla_document, sla_from_document
from chalicelib.errors import Invalid

OPENED = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)

POLICY = SlaPolicy.parse({
    "calendar": "24x7",
    "targets": {"urgent": [1, 4], "high": [4, 12], "normal": [8, 24], "low": [24, 72]},
    "departments": {"billing": {"urgent": [2, 6], "high": [3, 9]}},
    "tiers": {
        "vip": {"customers": ["CEO@BigCorp.com", "@partner.example"], "targets": {"urgent": [0.25, 1]}},
        "gold": {"customers": ["@bigcorp.com"], "targets": {"urgent": [0.5, 2], "normal": [2, 8]}},
    },
})


def hours(sla, target=Target.FIRST_RESPONSE) -> float:
    return (sla.due_at(target) - OPENED) / timedelta(hours=1)


# ---------------------------------------------------------------- who is in a tier

@pytest.mark.parametrize("email,tier", [
    ("ceo@bigcorp.com", "vip"),                 # the exact address, listed in another case
    ("Ceo@BIGCORP.com", "vip"),
    ("anyone@partner.example", "vip"),          # the whole domain
    ("Someone@PARTNER.Example", "vip"),
    ("dana@bigcorp.com", "gold"),               # the domain of a tier further down
    ("dana@eu.bigcorp.com", None),              # a domain is that domain, not its subdomains
    ("ceo@bigcorp.com.evil.example", None),
    ("ceo@bigcorp.co", None),
    ("stranger@example.com", None),
    ("", None),
    (None, None),
])
def test_a_customer_belongs_to_the_first_tier_listing_their_address_or_domain(email, tier):
    assert POLICY.tier_of(email) == tier


def test_the_first_tier_wins_when_one_lists_the_address_and_another_its_domain():
    doc = POLICY.to_document()
    reordered = SlaPolicy.parse({**doc, "tiers": {"gold": doc["tiers"]["gold"], "vip": doc["tiers"]["vip"]}})
    assert reordered.tier_of("ceo@bigcorp.com") == "gold"
    assert list(reordered.to_document()["tiers"]) == ["gold", "vip"]  # the order is kept where it is stored


# ---------------------------------------------------------------- which promise wins

def test_precedence_per_priority_is_tier_then_department_then_the_policys_targets():
    assert POLICY.hours_for("billing", "urgent", "vip") == (0.25, 1)   # the tier over the department
    assert POLICY.hours_for("billing", "urgent", "gold") == (0.5, 2)
    assert POLICY.hours_for("billing", "high", "vip") == (3, 9)        # the tier leaves high out: department
    assert POLICY.hours_for("billing", "normal", "vip") == (8, 24)     # neither sets normal: the policy's
    assert POLICY.hours_for("billing", "normal", "gold") == (2, 8)
    assert POLICY.hours_for("support", "high", "vip") == (4, 12)       # no department targets: the policy's
    assert POLICY.hours_for("billing", "urgent") == (2, 6)             # no tier: department, as before
    assert POLICY.hours_for("billing", "urgent", "gone") == (2, 6)     # a tier removed since promises nothing


def test_a_ticket_is_held_to_its_customers_tier_and_records_it():
    sla = POLICY.sla_for("billing", "urgent", OPENED, customer="CEO@bigcorp.com")
    assert sla.tier == "vip" and (hours(sla), hours(sla, Target.RESOLUTION)) == (0.25, 1)
    plain = POLICY.sla_for("billing", "urgent", OPENED, customer="someone@example.com")
    assert plain.tier is None and hours(plain) == 2
    assert POLICY.sla_for("billing", "urgent", OPENED).tier is None


def test_retargeting_keeps_the_tier_the_ticket_was_opened_under():
    sla = POLICY.sla_for("support", "normal", OPENED, customer="dana@bigcorp.com")          # gold: 2 h / 8 h
    raised = POLICY.retargeted(sla, "support", "urgent", OPENED + timedelta(minutes=10))
    assert raised.tier == "gold" and (hours(raised), hours(raised, Target.RESOLUTION)) == (0.5, 2)
    moved = POLICY.retargeted(raised, "billing", "high", OPENED + timedelta(minutes=20))    # gold has no high
    assert moved.tier == "gold" and hours(moved) == 3                                         # billing's


def test_retargeting_is_not_a_new_lookup_of_the_customer():
    sla = POLICY.sla_for("support", "normal", OPENED, customer="dana@bigcorp.com")
    shuffled = SlaPolicy.parse({**POLICY.to_document(), "tiers": {
        "gold": {"customers": ["@elsewhere.example"], "targets": {"urgent": [0.75, 3]}}}})
    assert hours(shuffled.retargeted(sla, "support", "urgent", OPENED)) == 0.75  # the tier's hours of now
    removed = SlaPolicy.parse({**POLICY.to_document(), "tiers": {}})
    fallen = removed.retargeted(sla, "support", "urgent", OPENED)
    assert fallen.tier is None and hours(fallen) == 1


def test_the_tier_survives_the_tickets_document_and_old_documents_have_none():
    sla = POLICY.sla_for("support", "urgent", OPENED, customer="anyone@partner.example")
    assert sla_from_document(sla_document(sla)) == sla
    old = sla_document(POLICY.sla_for("support", "urgent", OPENED))
    del old["tier"]                                                      # stored before tiers existed
    assert sla_from_document(old).tier is None


# ---------------------------------------------------------------- the tiers as admins send them

def test_tiers_round_trip_through_their_document_clean_and_in_order():
    policy = SlaPolicy.parse({"tiers": {"vip": {"customers": ["  Noa@Example.COM ", "@BigCorp.com"],
                                                "targets": {"high": [1, 3]}},
                                        "basic": {"customers": ["x@y.example"]}}})
    doc = policy.to_document()
    assert doc["tiers"] == {"vip": {"customers": ["noa@example.com", "@bigcorp.com"], "targets": {"high": [1.0, 3.0]}},
                            "basic": {"customers": ["x@y.example"], "targets": {}}}
    assert SlaPolicy.parse(doc) == policy                              # what GET answers is a valid PUT body
    assert SlaPolicy().to_document()["tiers"] == {}


@pytest.mark.parametrize("tiers,fields", [
    ({"vip": {"customers": ["ok@example.com", "not an address", "@", "@nodot", "a@b@c.com", 7]}},
     {"tiers.vip.customers.1": "invalid", "tiers.vip.customers.2": "invalid", "tiers.vip.customers.3": "invalid",
      "tiers.vip.customers.4": "invalid", "tiers.vip.customers.5": "invalid"}),
    ({"vip": {"customers": ["a@example.com", " "]}}, {"tiers.vip.customers.1": "required"}),
    ({"vip": {"customers": ["x" * 250 + "@example.com"]}}, {"tiers.vip.customers.0": "too_long"}),
    ({"vip": {"customers": ["a@example.com", "A@Example.com"]}}, {"tiers.vip.customers.1": "duplicate"}),
    ({"vip": {"customers": ["@example.com"]}, "gold": {"customers": ["x@y.example", "@EXAMPLE.com"]}},
     {"tiers.gold.customers.1": "duplicate"}),
    ({"vip": {"customers": []}}, {"tiers.vip.customers": "required"}),
    ({"vip": {"targets": {"urgent": [1, 2]}}}, {"tiers.vip.customers": "required"}),
    ({"vip": {"customers": "a@example.com"}}, {"tiers.vip.customers": "invalid"}),
    ({"vip": {"customers": ["a@example.com"], "targets": {"critical": [1, 2], "high": [5, 2], "low": [0, 1],
                                                          "normal": "fast"}}},
     {"tiers.vip.targets.critical": "unknown", "tiers.vip.targets.high": "first_response_after_resolution",
      "tiers.vip.targets.low": "invalid", "tiers.vip.targets.normal": "invalid"}),
    ({"vip": {"customers": ["a@example.com"], "targets": [1, 2]}}, {"tiers.vip.targets": "invalid"}),
    ({"vip": {"customers": ["a@example.com"], "colour": "gold"}}, {"tiers.vip.colour": "unknown"}),
    ({"VIP": {"customers": ["a@example.com"]}, "top tier": {"customers": ["b@example.com"]},
      "2025": {"customers": ["c@example.com"]}, "x" * 41: {"customers": ["d@example.com"]}},
     {"tiers.VIP": "invalid", "tiers.top tier": "invalid", "tiers.2025": "invalid", f"tiers.{'x' * 41}": "invalid"}),
    ({"vip": ["a@example.com"]}, {"tiers.vip": "invalid"}),
    ({f"t{i}": {"customers": [f"a@t{i}.example"]} for i in range(MAX_TIERS + 1)}, {"tiers": "too_many"}),
    ({"big": {"customers": [f"c{i}@example.com" for i in range(MAX_TIER_ENTRIES)]},
      "more": {"customers": ["one@more.example"]}}, {"tiers.more.customers": "too_many"}),
], ids=["entries", "blank entry", "long entry", "same address twice", "same domain in two tiers", "empty",
        "no customers", "customers not a list", "targets", "targets not an object", "unknown key", "ids",
        "tier not an object", "too many tiers", "too many entries in all"])
def test_a_bad_tier_is_refused_with_every_field_path_at_once(tiers, fields):
    with pytest.raises(Invalid) as refused:
        SlaPolicy.parse({"tiers": tiers})
    assert refused.value.fields == fields


def test_problems_of_tiers_and_of_the_rest_are_reported_together():
    with pytest.raises(Invalid) as refused:
        SlaPolicy.parse({"targets": {"urgent": [4, 1]}, "warn_share": 2, "calendar": "mars",
                         "tiers": {"vip": {"customers": ["nope"]}}})
    assert refused.value.fields == {"targets.urgent": "first_response_after_resolution", "warn_share": "invalid",
                                    "calendar": "unknown", "tiers.vip.customers.0": "invalid"}
