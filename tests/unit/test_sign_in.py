"""Password-less sign-in: one-time codes (issue, throttle, guesses, expiry, single use) and the session
token they buy, against in-memory ports and a fixed clock."""
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from chalicelib.domain import sessions, sign_in
from chalicelib.domain.history import Tab
from chalicelib.domain.sign_in import Channel, CodeRecord, Identity, parse_code, parse_identity
from chalicelib.domain.tickets import Customer, Language, Priority, Status, Ticket
from chalicelib.errors import Invalid, LimitReached, Unauthorized, Unavailable
from chalicelib.services import customers
from chalicelib.services.ports import SignInDesk
from tests.fakes import (
    FakeMailer, FakeSecrets, FakeSms, FixedClock, InMemoryRateLimiter, InMemorySignInCodes, InMemoryTickets,
)

EMAIL = "Maryam@Example.com"
PHONE_LOCAL = "0912 345 6789"
PHONE = "+989123456789"
NETWORK = "203.0.113.0/24"


def a_ticket(repo, *, email=EMAIL, phone=None, status=Status.OPEN, at=None) -> Ticket:
    at = at or datetime(2026, 11, 1, tzinfo=timezone.utc)
    ticket = Ticket(number=repo.next_number(), subject="چاپگر", department="support", category="billing",
                    priority=Priority.NORMAL, language=Language.FA, customer=Customer("مریم", email, phone),
                    status=status, created_at=at, last_activity_at=at, link_salt="s", link_hash="h")
    repo.create(ticket, [], [])
    return ticket


@pytest.fixture
def ports():
    tickets = InMemoryTickets()
    a_ticket(tickets, phone=PHONE)
    return {"codes": InMemorySignInCodes(), "tickets": tickets, "secrets": FakeSecrets(), "mailer": FakeMailer(),
            "sms": FakeSms(), "clock": FixedClock(), "limiter": InMemoryRateLimiter()}


def sign_in_desk(ports) -> SignInDesk:  # codes alone: no tickets to confirm
    return SignInDesk(codes=ports["codes"], secrets=ports["secrets"], mailer=ports["mailer"], sms=ports["sms"],
                      clock=ports["clock"], limiter=ports["limiter"])


def ask(ports, *, email=EMAIL, phone=None, language="fa", network=NETWORK):
    return customers.request_code(sign_in_desk(ports), network=network, email=None if phone else email, phone=phone,
                                  language=language)


def verify(ports, code, *, email=EMAIL, phone=None, language="fa", network=NETWORK):
    return customers.verify_code(sign_in_desk(ports), network=network, email=None if phone else email, phone=phone,
                                 language=language, code=code)


def mailed_code(ports) -> str:
    mail, _, _ = ports["mailer"].sent[-1]
    return re.search(r"\b(\d{6})\b", mail.text).group(1)


def refusal(call) -> Unauthorized:
    with pytest.raises(Unauthorized) as refused:
        call()
    return refused.value


# ---------------------------------------------------------------- identities and codes

def test_an_identity_is_a_case_folded_address_or_an_e164_number_read_the_local_way():
    email = parse_identity(email=" Maryam@Example.COM ", phone=None, language=Language.EN)
    assert email.key == "email:maryam@example.com"
    assert parse_identity(email=None, phone="۰۹۱۲ ۳۴۵ ۶۷۸۹", language=Language.FA) == Identity(Channel.SMS, PHONE)
    assert parse_identity(email="", phone="054-444-5566", language=Language.HE).key == "phone:+972544445566"


@pytest.mark.parametrize("email,phone,field,code", [
    (None, None, "email", "required"),
    ("  ", "", "email", "required"),
    ("maryam@example.com", "09123456789", "phone", "not_both"),
    ("not-an-address", None, "email", "invalid"),
    (None, "12", "phone", "invalid"),
])
def test_a_bad_identity_is_a_field_error(email, phone, field, code):
    with pytest.raises(Invalid) as refused:
        parse_identity(email=email, phone=phone, language=Language.FA)
    assert refused.value.fields == {field: code}


def test_codes_are_six_digits_and_typed_codes_may_use_persian_digits_and_spaces():
    assert all(re.fullmatch(r"\d{6}", sign_in.new_code()) for _ in range(50))
    assert parse_code("۰۱۲ ۳۴۵") == "012345" and parse_code("٠١٢٣٤٥") == "012345"
    for typed in ("12345", "1234567", "12a456", ""):
        with pytest.raises(Invalid):
            parse_code(typed)


def test_a_code_is_stored_as_an_hmac_bound_to_its_identity():
    secret = FakeSecrets().link_secret()
    maryam, dana = Identity(Channel.EMAIL, "maryam@example.com"), Identity(Channel.EMAIL, "dana@example.com")
    digest = sign_in.code_digest(secret, maryam, "123456")
    assert "123456" not in digest and digest != sign_in.code_digest(secret, dana, "123456")
    assert digest != sign_in.code_digest(b"another-secret", maryam, "123456")


def test_five_codes_per_hour_then_refused_until_the_oldest_leaves_the_window():
    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    record = CodeRecord()
    for minute in range(5):
        record = record.issued(f"d{minute}", now + timedelta(minutes=minute), field="email")
    with pytest.raises(LimitReached) as refused:
        record.issued("d5", now + timedelta(minutes=30), field="email")
    assert refused.value.fields == {"email": "too_many"} and refused.value.details == {"retry_after": 1801}
    again = record.issued("d6", now + timedelta(hours=1), field="email")
    assert again.digest == "d6" and len(again.sent) == 5 and again.attempts == 0


# ---------------------------------------------------------------- the sign-in use case

def test_a_customer_with_tickets_gets_a_code_in_their_language_and_trades_it_for_a_session(ports):
    sent = ask(ports, language="fa")
    assert (sent.channel, sent.expires_in) == (Channel.EMAIL, 600)
    [(mail, message_id, thread_id)] = ports["mailer"].sent
    assert mail.to == "maryam@example.com" and mail.language == Language.FA and 'dir="rtl"' in mail.html
    assert mail.subject == "کد ورود شما" and mailed_code(ports) in mail.html
    assert "http" not in mail.text and message_id.startswith("sign-in-")

    session = verify(ports, mailed_code(ports))
    assert session.expires_in == 12 * 3600
    assert sessions.verify(FakeSecrets().link_secret(), session.token, ports["clock"].now()) == \
        Identity(Channel.EMAIL, "maryam@example.com")


@pytest.mark.parametrize("language,words", [("en", "Your code"), ("he", "קוד הכניסה"), ("fa", "کد ورود")])
def test_the_code_mail_speaks_the_customers_language(ports, language, words):
    ask(ports, language=language)
    mail = ports["mailer"].sent[-1][0]
    assert words in mail.text and ('dir="rtl"' in mail.html) == (language != "en")


def test_a_customer_can_sign_in_by_sms_with_the_number_written_the_local_way(ports):
    sent = ask(ports, phone=PHONE_LOCAL, language="fa")
    assert sent.channel == Channel.SMS and ports["mailer"].sent == []
    [(phone, text)] = ports["sms"].sent
    code = re.search(r"\d{6}", text).group(0)
    assert phone == PHONE and "کد ورود" in text
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    session = verify(ports, persian, phone="+98 912 345 6789")
    assert sessions.verify(FakeSecrets().link_secret(), session.token, ports["clock"].now()).key == f"phone:{PHONE}"


def test_an_identity_without_tickets_gets_the_same_answer_and_a_code_that_opens_nothing(ports):
    known, unknown = ask(ports), ask(ports, email="stranger@example.com")
    assert known == unknown and [mail.to for mail, _, _ in ports["mailer"].sent] == [
        "maryam@example.com", "stranger@example.com"]
    assert refusal(lambda: verify(ports, "000000", email="stranger@example.com")).fields == {"code": "wrong"}
    session = verify(ports, mailed_code(ports), email="stranger@example.com")
    stranger = sessions.verify(FakeSecrets().link_secret(), session.token, ports["clock"].now())
    assert customers.history(ports["tickets"], stranger) == {tab: [] for tab in Tab}


def test_a_code_expires_after_ten_minutes(ports):
    ask(ports)
    code = mailed_code(ports)
    ports["clock"].advance(minutes=10)
    assert refusal(lambda: verify(ports, code)).fields == {"code": "expired"}


def test_a_code_still_works_just_before_it_expires(ports):
    ask(ports)
    ports["clock"].advance(minutes=9, seconds=59)
    assert verify(ports, mailed_code(ports)).token


def test_five_wrong_guesses_use_the_code_up(ports):
    ask(ports)
    code = mailed_code(ports)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    left = [refusal(lambda: verify(ports, wrong)).details["attempts_left"] for _ in range(5)]
    assert left == [4, 3, 2, 1, 0]
    assert refusal(lambda: verify(ports, code)).fields == {"code": "expired"}


def test_a_code_is_used_once(ports):
    ask(ports)
    code = mailed_code(ports)
    verify(ports, code)
    assert refusal(lambda: verify(ports, code)).fields == {"code": "expired"}


def test_a_new_code_replaces_the_previous_one(ports):
    ask(ports)
    first = mailed_code(ports)
    ask(ports)
    second = mailed_code(ports)
    if first != second:
        assert refusal(lambda: verify(ports, first)).fields == {"code": "wrong"}
    assert verify(ports, second).token


def test_a_code_opens_only_the_identity_it_was_sent_to(ports):
    a_ticket(ports["tickets"], email="dana@example.com")
    ask(ports)
    code = mailed_code(ports)
    # Dana has no code: nothing to guess. Once she has one, Maryam's code is not it.
    assert refusal(lambda: verify(ports, code, email="dana@example.com")).fields == {"code": "expired"}
    ask(ports, email="dana@example.com")
    if mailed_code(ports) != code:
        assert refusal(lambda: verify(ports, code, email="dana@example.com")).fields == {"code": "wrong"}
    assert verify(ports, code).token  # Maryam's own code was not spent by the guesses on Dana's


def test_asking_too_often_is_throttled_whether_or_not_the_identity_has_tickets(ports):
    for email in (EMAIL, "stranger@example.com"):
        for _ in range(5):
            ask(ports, email=email)
        with pytest.raises(LimitReached) as refused:
            ask(ports, email=email)
        assert refused.value.fields == {"email": "too_many"}
    assert len(ports["mailer"].sent) == 10
    ports["clock"].advance(hours=1)
    ask(ports)
    assert len(ports["mailer"].sent) == 11


def test_a_malformed_code_is_a_field_error_and_costs_no_attempt(ports):
    ask(ports)
    with pytest.raises(Invalid) as refused:
        verify(ports, "12-34")
    assert refused.value.fields == {"code": "invalid"}
    assert ports["codes"].get("email:maryam@example.com").attempts == 0


@pytest.mark.parametrize("channel", ["mail", "sms"])
def test_when_the_provider_fails_nothing_is_half_written(ports, channel):
    ask(ports) if channel == "mail" else ask(ports, phone=PHONE)
    identity = "email:maryam@example.com" if channel == "mail" else f"phone:{PHONE}"
    earlier = ports["codes"].get(identity)
    ports["mailer"].fail = ports["sms"].fail = True
    with pytest.raises(Unavailable) as refused:
        ask(ports) if channel == "mail" else ask(ports, phone=PHONE)
    assert refused.value.fields == {"email" if channel == "mail" else "phone": "not_sent"}
    restored = ports["codes"].get(identity)
    # The earlier code still works and the failed send took no place in the hourly allowance.
    assert replace(restored, version=earlier.version, keep_until=earlier.keep_until) == earlier


def test_the_earlier_code_still_works_after_a_failed_resend(ports):
    ask(ports)
    code = mailed_code(ports)
    ports["mailer"].fail = True
    with pytest.raises(Unavailable):
        ask(ports)
    assert verify(ports, code).token


# ---------------------------------------------------------------- no oracle: one path for every identity

class Recording:
    """Wraps a port and writes each call (port, method) to a shared log before passing it on."""

    def __init__(self, name, port, log):
        self._name, self._port, self._log = name, port, log

    def __getattr__(self, attribute):
        found = getattr(self._port, attribute)
        if not callable(found):
            return found

        def recorded(*args, **kwargs):
            self._log.append(f"{self._name}.{attribute}")
            return found(*args, **kwargs)
        return recorded


def recorded_calls(ports, **identity) -> list[str]:
    log = []
    wrapped = {name: Recording(name, port, log) for name, port in ports.items()}
    ask(wrapped, **identity)
    return log


@pytest.mark.parametrize("known,unknown", [
    ({"email": EMAIL}, {"email": "stranger@example.com"}),
    ({"phone": PHONE_LOCAL}, {"phone": "0912 000 1122"}),
])
def test_asking_for_a_code_makes_the_same_port_calls_for_a_known_and_an_unknown_identity(ports, known, unknown):
    assert ports["tickets"].of_customer(email="stranger@example.com") == []
    assert ports["tickets"].of_customer(phone="+989120001122") == []
    calls = recorded_calls(ports, **known)
    assert calls == recorded_calls(ports, **unknown)
    channel = "mailer.send" if "email" in known else "sms.send"
    # The code is stored and sent either way (to an identity without tickets it opens nothing).
    assert [c for c in calls if c != "clock.now"] == ["limiter.take", "secrets.link_secret", "codes.get",
                                                      "codes.save", channel]


# ---------------------------------------------------------------- limits per client network

def test_a_network_gets_twenty_code_requests_in_ten_minutes_for_any_identities(ports):
    for n in range(20):
        ask(ports, email=f"person{n}@example.com")
    with pytest.raises(LimitReached) as refused:
        ask(ports, email="person20@example.com")
    assert refused.value.fields == {}
    assert refused.value.details == {"rate_limit": "sign_in_codes_per_network", "retry_after": 600}
    assert len(ports["mailer"].sent) == 20 and ports["codes"].get("email:person20@example.com") is None

    ask(ports, email="person20@example.com", network="198.51.100.0/24")  # another network is not held back
    ports["clock"].advance(minutes=10)
    ask(ports, email="person21@example.com")  # the next window starts again
    assert len(ports["mailer"].sent) == 22


def test_the_network_limit_answers_before_the_identity_is_read(ports):
    for n in range(20):
        ask(ports, email=f"person{n}@example.com")
    with pytest.raises(LimitReached):
        ask(ports, email="not an address")  # no hint whether the input would have been accepted


def test_a_network_gets_sixty_guesses_in_ten_minutes_across_identities(ports):
    for n in range(60):
        with pytest.raises(Unauthorized):
            verify(ports, "123456", email=f"person{n}@example.com")
    with pytest.raises(LimitReached) as refused:
        verify(ports, "123456")
    assert refused.value.details["rate_limit"] == "sign_in_guesses_per_network"
    ask(ports, network="198.51.100.0/24")
    assert verify(ports, mailed_code(ports), network="198.51.100.0/24").token


# ---------------------------------------------------------------- session tokens

SECRET = FakeSecrets().link_secret()
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
MARYAM = Identity(Channel.EMAIL, "maryam@example.com")


def test_a_session_lasts_twelve_hours():
    token = sessions.issue(SECRET, MARYAM, NOW).token
    assert sessions.verify(SECRET, token, NOW + timedelta(hours=12) - timedelta(seconds=1)) == MARYAM
    with pytest.raises(Unauthorized):
        sessions.verify(SECRET, token, NOW + timedelta(hours=12))


def _signed(claims, key=None, algorithm="HS256"):
    return jwt.encode(claims, key or sessions.signing_key(SECRET), algorithm=algorithm)


def _claims(**overrides):
    claims = {"sub": MARYAM.key, "aud": sessions.AUDIENCE, "iat": int(NOW.timestamp()),
              "exp": int((NOW + timedelta(hours=1)).timestamp())}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize("name,token", [
    ("another secret", _signed(_claims(), key=sessions.signing_key(b"another-link-secret"))),
    ("the link secret itself, not the derived key", _signed(_claims(), key=SECRET)),
    ("another audience", _signed(_claims(aud="helpdesk-agent"))),
    ("no audience", _signed(_claims(aud=None))),
    ("no expiry", _signed(_claims(exp=None))),
    ("not an identity", _signed(_claims(sub="maryam@example.com"))),
    ("alg none", jwt.encode(_claims(), None, algorithm="none")),
    ("garbage", "not-a-token"),
    ("tampered", _signed(_claims())[:-2] + "xx"),
])
def test_forged_or_foreign_session_tokens_are_refused(name, token):
    with pytest.raises(Unauthorized):
        sessions.verify(SECRET, token, NOW)


def test_a_tampered_subject_breaks_the_signature():
    header, payload, signature = _signed(_claims()).split(".")
    other = jwt.utils.base64url_encode(jwt.utils.base64url_decode(payload).replace(b"maryam", b"dana")).decode()
    with pytest.raises(Unauthorized):
        sessions.verify(SECRET, f"{header}.{other}.{signature}", NOW)
