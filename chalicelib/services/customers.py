"""Customer self-service: password-less sign-in by a one-time code, and the signed-in customer's tickets.
Ports come in as arguments (see chalicelib/bootstrap.py)."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import mail, rate_limits, sessions, sign_in
from chalicelib.domain.history import Tab, by_tab
from chalicelib.domain.sign_in import Channel, CodeRecord, Identity
from chalicelib.domain.tickets import Language, Ticket, new_id, parse_enum
from chalicelib.errors import Conflict, LimitReached, Unavailable
from chalicelib.services.ports import (
    CatalogRepository, Clock, DeliveryFailed, Mailer, RateLimiter, SignInCodes, SignInDesk, SmsSender,
    TicketRepository, TicketViews, VersionConflict,
)
from chalicelib.services.retry import retry_on_stale


@dataclass(frozen=True)
class CodeSent:
    channel: Channel
    expires_in: int  # seconds


def request_code(desk: SignInDesk, *, network: str, email: str | None, phone: str | None,
                 language: str) -> CodeSent:
    """Issue a code for the identity and send it, whether or not the identity has tickets: the same work,
    the same port calls and the same answer either way, so neither this call, its timing nor a guess later
    tells whether it has any (a session of an identity without tickets simply opens none). Limits: the
    client network's requests (rate_limits.SIGN_IN_CODES_PER_NETWORK), then the identity's codes an hour."""
    codes, secrets, mailer, sms, clock, limiter = (desk.codes, desk.secrets, desk.mailer, desk.sms, desk.clock,
                                                   desk.limiter)
    _within(limiter, rate_limits.SIGN_IN_CODES_PER_NETWORK, network, clock)
    language_value = parse_enum(Language, language, "language")
    identity = sign_in.parse_identity(email=email, phone=phone, language=language_value)
    code = sign_in.new_code()
    previous, issued = _store_code(codes, identity, sign_in.code_digest(secrets.link_secret(), identity, code),
                                   clock)
    try:
        _deliver(identity, code, language_value, mailer=mailer, sms=sms)
    except DeliveryFailed as exc:
        _withdraw(codes, identity, previous, issued)
        raise Unavailable("the code could not be sent; try again in a moment",
                          fields={identity.field: "not_sent"}) from exc
    return CodeSent(channel=identity.channel, expires_in=int(sign_in.CODE_LIFETIME.total_seconds()))


def _within(limiter: RateLimiter, limit: rate_limits.RateLimit, network: str, clock: Clock) -> None:
    now = clock.now()
    if not limiter.take(limit, network, now):
        raise limit.reached(now, "too many sign-in requests from your network; try again in a few minutes")


def _store_code(codes: SignInCodes, identity: Identity, digest: str, clock: Clock) -> tuple[CodeRecord, CodeRecord]:
    """Write the new code over the record it was computed from (the throttle counts atomically)."""
    def attempt(_) -> tuple[CodeRecord, CodeRecord]:
        previous = codes.get(identity.key) or CodeRecord()
        issued = previous.issued(digest, clock.now(), field=identity.field)
        codes.save(identity.key, issued)
        return previous, issued

    return retry_on_stale(attempt, exhausted=lambda: LimitReached("too many sign-in requests at once; try again",
                                                                  fields={identity.field: "too_many"}))


def _withdraw(codes: SignInCodes, identity: Identity, previous: CodeRecord, issued: CodeRecord) -> None:
    """Put back what was there before the code that never left. If the record moved on meanwhile (a
    guess, another request) it is left alone: the unsent code is unknown to anyone, so harmless."""
    try:
        codes.save(identity.key, previous.restored_over(issued))
    except VersionConflict:
        pass


def _tickets_of(views: TicketViews, identity: Identity) -> list[Ticket]:
    """Those filed with that address, or with that mobile number: newest first, archived ones too."""
    if identity.channel == Channel.EMAIL:
        return views.of_customer(email=identity.address)
    return views.of_customer(phone=identity.address)


def _deliver(identity: Identity, code: str, language: Language, *, mailer: Mailer, sms: SmsSender) -> None:
    if identity.channel == Channel.SMS:
        sms.send(identity.address, sign_in.code_sms(code, language))
        return
    content = mail.render("sign_in_code", language, to=identity.address, code=code,
                          minutes=sign_in.CODE_MINUTES)
    # Outside every ticket's thread; a customer's code mails thread together (only they receive them).
    mailer.send(content, message_id=f"sign-in-{new_id()}", thread_id="sign-in-codes")


def verify_code(desk: SignInDesk, *, network: str, email: str | None, phone: str | None, language: str,
                code: str) -> sessions.Session:
    """A session for the identity if `code` is its current code; each call counts as one guess (of the
    identity's current code, and of the client network's, rate_limits.SIGN_IN_GUESSES_PER_NETWORK). A code sent
    to an address proves it: that address's unconfirmed tickets (listed by the desk's `views`, confirmed in its
    `tickets`) are confirmed."""
    codes, secrets, clock, limiter, tickets, views = (desk.codes, desk.secrets, desk.clock, desk.limiter,
                                                      desk.tickets, desk.views)
    _within(limiter, rate_limits.SIGN_IN_GUESSES_PER_NETWORK, network, clock)
    identity = sign_in.parse_identity(email=email, phone=phone,
                                      language=parse_enum(Language, language, "language"))
    secret = secrets.link_secret()
    offered = sign_in.code_digest(secret, identity, sign_in.parse_code(code))
    counted = codes.count_attempt(identity.key, clock.now())
    sign_in.check_attempt(counted, offered)
    if not codes.consume(identity.key, counted.digest):  # a parallel request used it first
        raise sign_in.code_expired()
    if tickets is not None and views is not None and identity.channel == Channel.EMAIL:
        _confirm_all(tickets, views, clock, identity)
    return sessions.issue(secret, identity, clock.now())


def _confirm_all(tickets: TicketRepository, views: TicketViews, clock: Clock, identity: Identity) -> None:
    from chalicelib.services.tickets import confirm

    for ticket in _tickets_of(views, identity):
        if not ticket.confirmed:
            try:
                confirm(tickets=tickets, clock=clock, number=ticket.number, how="sign_in")
            except Conflict:
                pass  # a busy ticket: the next sign-in, or opening it while signed in, confirms it


def history(views: TicketViews, identity: Identity) -> dict[Tab, list[Ticket]]:
    """The signed-in customer's tickets in the site's tabs, newest first in each."""
    return by_tab(_tickets_of(views, identity))


def reply_window_open(*, catalog: CatalogRepository, clock: Clock, ticket: Ticket) -> bool:
    """May the customer still write on the ticket? Past the window they open a new ticket that follows it."""
    return ticket.within_reply_window(clock.now(), catalog.policies().reply_window)
