"""A customer's address has one identity (issue 11, finding 5): checked by email-validator (no DNS), kept as
written for display, compared canonically, and +tag-folded for the open-ticket limit."""
import pytest

from chalicelib.domain import identity
from chalicelib.domain.identity import canonical, limit_key, parse_email
from chalicelib.domain.sign_in import parse_identity
from chalicelib.domain.sla import SlaPolicy, Tier
from chalicelib.domain.tickets import Customer, Language
from chalicelib.errors import Invalid

# Variants of one address that a stranger used to file past the limit.
VARIANTS = [
    ("maryam@example.com", "plain"),
    ("Maryam@Example.COM", "upper case"),
    ("maryam@example.com.", "trailing dot of the domain"),
    ("mar\u200byam@example.com", "zero-width space"),
    ("mar\u00adyam@example.com", "soft hyphen"),
    ("\u200emaryam@exam\u200dple.com\ufeff", "LRM, ZWJ, BOM"),
    ("\u202emaryam@example.com", "right-to-left override"),
    ("ｍａｒｙａｍ＠ｅｘａｍｐｌｅ．ｃｏｍ", "full-width letters"),
    ("maryam@EXAMPLE.com", "upper-case domain"),
]


@pytest.mark.parametrize("typed,why", VARIANTS)
def test_variants_of_one_address_have_one_canonical_form_and_one_limit_key(typed, why):
    parsed = parse_email(typed)
    assert parsed.canonical == canonical(typed) == "maryam@example.com", why
    assert parsed.limit_key == "maryam@example.com", why


@pytest.mark.parametrize("typed", ["maryam+1@example.com", "Maryam+Support@Example.com.", "maryam+@example.com",
                                   "ｍａｒｙａｍ＋ｘ@example.com"])
def test_a_plus_tag_is_another_address_but_the_same_customer_for_the_limit(typed):
    parsed = parse_email(typed)
    assert parsed.canonical != "maryam@example.com" and parsed.canonical == canonical(typed)
    assert parsed.limit_key == limit_key(typed) == "maryam@example.com"


def test_a_local_part_that_is_only_a_tag_keeps_it():
    assert limit_key("+tag@example.com") == "+tag@example.com"


def test_an_internationalized_domain_is_compared_in_idna_form_and_shown_as_written():
    parsed = parse_email("Dana@Bücher.example")
    assert parsed.display == "Dana@bücher.example"
    assert parsed.canonical == canonical("dana@XN--BCHER-KVA.example") == "dana@xn--bcher-kva.example"
    assert identity.deliverable(parsed.display) == "Dana@xn--bcher-kva.example"


def test_the_address_is_kept_as_written_cleaned_of_invisible_characters():
    assert parse_email("  Maryam.Karimi@Example.com ").display == "Maryam.Karimi@example.com"
    assert parse_email("mar\u200byam\u00ad@example.com.").display == "maryam@example.com"
    assert parse_email("ＭａｒｙａｍＫ@example.com").display == "MaryamK@example.com"


def test_plain_ascii_addresses_keep_the_keys_stored_before_this_change():
    # Tickets already stored are found by their case-folded address: the canonical form must equal it.
    for address in ("Maryam@Example.com", "o'brien+x@sub.example.co.il", "A.B_C-d@EXAMPLE.IR"):
        assert canonical(address) == address.casefold()


@pytest.mark.parametrize("typed", [
    "<script>@probe.example", "a@-x.example", "a@x-.example", "x@[127.0.0.1]", "x@[IPv6:::1]", '"a b"@example.com',
    '"a"@example.com', "a@localhost", "a@example", "a@probe.test", "a@x.invalid", "a@host.local", "a@@example.com",
    "a b@example.com", "a@exa mple.com", "@example.com", "a@", "a..b@example.com", ".a@example.com",
    "a\x00@example.com", "a\x1b[31m@example.com", "a\x07@example.com", "a\ud800b@example.com",
    "مریم@example.com", "Maryam <maryam@example.com>", "a@example.com..", "a" * 250 + "@example.com",
    "a@" + "x" * 250 + ".com", "a@" + "\u200b" * 600 + "example.com",
])
def test_addresses_that_cannot_receive_mail_are_refused_as_a_field_error(typed):
    with pytest.raises(Invalid) as refused:
        parse_email(typed, "customer.email")
    assert refused.value.fields == {"customer.email": "invalid"}


@pytest.mark.parametrize("typed", ["", "   ", "\u200b"])
def test_an_empty_address_is_required_or_invalid(typed):
    with pytest.raises(Invalid) as refused:
        parse_email(typed)
    assert refused.value.fields["email"] in ("required", "invalid")


@pytest.mark.parametrize("typed", [*(v for v, _ in VARIANTS), "maryam+x@Example.com", "Dana@Bücher.example",
                                   "ǰ@example.com", "ß@Straße.example", "no-at-sign.", "a@b@c", "", "ＡＢ"])
def test_canonical_and_limit_forms_are_idempotent(typed):
    assert canonical(canonical(typed)) == canonical(typed)
    assert limit_key(limit_key(typed)) == limit_key(typed)
    assert canonical(limit_key(typed)) == limit_key(typed)


def test_a_customer_is_keyed_canonically_and_limited_by_the_folded_key():
    customer = Customer.parse("مریم", "Mar\u200byam+Work@Example.com.")
    assert customer.email == "Maryam+Work@example.com"
    assert (customer.key, customer.limit_key) == ("maryam+work@example.com", "maryam@example.com")


def test_the_ticket_form_names_an_undeliverable_address_with_the_other_bad_fields():
    with pytest.raises(Invalid) as refused:
        Customer.parse("", "<script>@probe.example")
    assert refused.value.fields == {"customer.name": "required", "customer.email": "invalid"}


def test_sign_in_identities_are_canonical_so_variants_sign_in_as_one_customer():
    keys = {parse_identity(email=typed, phone=None, language=Language.EN).key for typed, _ in VARIANTS}
    assert keys == {"email:maryam@example.com"}
    with pytest.raises(Invalid) as refused:
        parse_identity(email="x@[127.0.0.1]", phone=None, language=Language.EN)
    assert refused.value.fields == {"email": "invalid"}


def test_sla_tiers_match_variants_of_a_listed_address_or_domain():
    tier = Tier(customers=("maryam@example.com", "@bücher.example"))
    assert tier.includes("Mar\u200byam@EXAMPLE.com.") and tier.includes("ｍａｒｙａｍ@example.com")
    assert tier.includes("dana@XN--BCHER-KVA.example") and tier.includes("dana@Bücher.example")
    assert not tier.includes("maryam+x@example.com") and not tier.includes("dana@sub.bücher.example")


def test_an_sla_tier_refuses_two_spellings_of_one_entry():
    with pytest.raises(Invalid) as refused:
        SlaPolicy.parse({"tiers": {"gold": {"customers": ["@bücher.example", "@XN--BCHER-KVA.example"]}}})
    assert refused.value.fields == {"tiers.gold.customers.1": "duplicate"}


def test_a_mail_sender_is_the_tickets_customer_in_any_spelling_of_the_address():
    from datetime import datetime, timezone

    from chalicelib.domain.sign_in import CustomerAccess, email_identity
    from chalicelib.domain.tickets import Priority, Status, Ticket
    at = datetime(2026, 11, 1, tzinfo=timezone.utc)
    ticket = Ticket(number=1001, subject="چاپگر", department="support", category="billing", priority=Priority.NORMAL,
                    language=Language.FA, customer=Customer.parse("مریم", "Maryam@Bücher.example"),
                    status=Status.OPEN, created_at=at, last_activity_at=at, link_salt="s", link_hash="h")
    for sender in ("maryam@xn--bcher-kva.example", "MARYAM@BÜCHER.EXAMPLE.", "mar\u200byam@bücher.example"):
        assert CustomerAccess(identity=email_identity(sender)).opens(ticket), sender
    for sender in ("maryam+x@bücher.example", "maryam@bucher.example", "dana@bücher.example"):
        assert not CustomerAccess(identity=email_identity(sender)).opens(ticket), sender


@pytest.mark.parametrize("sender", [b"<a@-x.example>", b"<x@[127.0.0.1]>", b"<dana@probe.test>", b"<dana@example>"])
def test_a_mail_from_an_address_that_cannot_receive_mail_is_never_answered(sender):
    from chalicelib.domain import inbound
    from tests.unit.test_inbound_mail import fixture
    mail = inbound.parse(fixture("new_multipart_en.eml").replace(b"<Dana@Example.org>", sender))
    assert not inbound.answerable(mail, "example.com")


def test_mail_to_an_internationalized_domain_goes_in_idna_form():
    from email import message_from_bytes

    from chalicelib.adapters.messaging import build_mime
    from chalicelib.domain import mail
    content = mail.render("sign_in_code", Language.HE, to="Dana@bücher.example", code="123456", minutes=10)
    sent = message_from_bytes(build_mime(content, sender="help@example.com", message_id="m", thread_id="t",
                                         domain="example.com").as_bytes())
    assert sent["To"] == "Dana@xn--bcher-kva.example"
