"""Which events mail the customer, and what the mail says."""
from chalicelib.domain import inbound, links
from chalicelib.domain.events import to_document
from chalicelib.domain.tickets import AuthorKind, EventType, Visibility
from chalicelib.services import notifications
from chalicelib.services import tickets as service
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import FakeAgents, FakeFiles, FakeMailer, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets
from tests.unit.test_ticket_services import AGENT, LIMITS, form

SITE = "https://help.example/customer/"


def documents_of_a_conversation(language="fa"):
    repo, clock = InMemoryTickets(), FixedClock()
    opened = fake_open_ticket(tickets=repo, catalog=InMemoryCatalog(), agents=FakeAgents(), files=FakeFiles(),
                                 secrets=FakeSecrets(),
                                 clock=clock, limits=LIMITS, site_url=SITE, confirmed=True, **form(language=language))
    service.add_note(tickets=repo, clock=clock, number=opened.number, agent=AGENT, text="secret note")
    service.agent_reply(tickets=repo, files=FakeFiles(), clock=clock, limits=LIMITS, number=opened.number,
                        agent=AGENT, text="پاسخ ما", attachments=[])
    ticket = repo.get(opened.number)
    return opened, [to_document(e, ticket) for e in repo.timeline(opened.number)]


def test_only_ticket_received_and_agent_reply_mail_the_customer():
    opened, docs = documents_of_a_conversation()
    mailer = FakeMailer()
    sent = [notifications.notify_customer(d, mailer=mailer, secrets=FakeSecrets(), site_url=SITE,
                                       mailbox="helpdesk@example.com") for d in docs]
    # created, first message (by the customer), automatic assignment, note, reply, status change
    assert sent == [True, False, False, False, True, False]
    received, replied = (m for m, _, _ in mailer.sent)
    assert received.to == "maryam@example.com" and "دریافت" in received.subject
    assert links.ticket_link(SITE, opened.number, opened.access_key) in received.text
    assert "پاسخ ما" in replied.text and "secret note" not in replied.text + replied.html


def test_mail_ids_thread_per_ticket_and_are_unique_per_event():
    _, docs = documents_of_a_conversation("he")
    mailer = FakeMailer()
    for d in docs:
        notifications.notify_customer(d, mailer=mailer, secrets=FakeSecrets(), site_url=SITE,
                                      mailbox="helpdesk@example.com")
    (_, id1, thread1), (_, id2, thread2) = mailer.sent
    secret = FakeSecrets().link_secret()
    assert thread1 == thread2 == inbound.our_message_id(secret, 1001, inbound.THREAD) and id1 != id2
    # Each id is signed: an answer to any of them threads back to the ticket; the bare number would not.
    for sent_id in (id1, id2, thread1):
        assert inbound.ticket_of_references((f"{sent_id}@example.com",), "example.com", secret) == 1001
    assert inbound.ticket_of_references(("ticket-1001@example.com",), "example.com", secret) is None


def test_replies_go_to_the_tickets_signed_address_that_intake_threads_back():
    from chalicelib.domain import inbound
    _, docs = documents_of_a_conversation()
    mailer = FakeMailer()
    for d in docs:
        notifications.notify_customer(d, mailer=mailer, secrets=FakeSecrets(), site_url=SITE,
                                      mailbox="helpdesk@example.com")
    reply_to = {m.reply_to for m, _, _ in mailer.sent}
    assert len(reply_to) == 1
    assert inbound.ticket_of_reply_address(tuple(reply_to), "helpdesk@example.com",
                                           FakeSecrets().link_secret()) == 1001


def test_a_mail_that_failed_every_try_is_said_once_on_the_tickets_timeline():
    """The ticket filed without sign-in waits for the mail that carries its link: that it never left is said."""
    repo, clock = InMemoryTickets(), FixedClock()
    opened = fake_open_ticket(tickets=repo, catalog=InMemoryCatalog(), agents=FakeAgents(), files=FakeFiles(),
                                 secrets=FakeSecrets(), clock=clock, limits=LIMITS, site_url=SITE, **form())
    [created] = [to_document(e, repo.get(opened.number)) for e in repo.timeline(opened.number)
                 if e.type == EventType.TICKET_CREATED]
    before = repo.get(opened.number)

    assert notifications.mail_undeliverable(created, tickets=repo, clock=clock, error="MessageRejected: bad address")
    # The redelivered record (or a second worker) finds it written: nothing more.
    assert not notifications.mail_undeliverable(created, tickets=repo, clock=clock, error="again")

    [said] = [e for e in repo.timeline(opened.number) if e.type == EventType.MAIL_UNDELIVERABLE]
    assert said.visibility == Visibility.INTERNAL and said.actor.kind == AuthorKind.SYSTEM
    assert said.data == {"event": created["event_id"], "mail": "received_unconfirmed", "to": before.customer.email,
                         "error": "MessageRejected: bad address"}
    after = repo.get(opened.number)
    # Only the timeline changed: no activity, no public clock, no status (and no mail: it is internal).
    assert (after.status, after.last_activity_at, after.last_public_at) == (
        before.status, before.last_activity_at, before.last_public_at)


def test_a_ticket_that_is_gone_gets_no_undeliverable_note():
    _, docs = documents_of_a_conversation()
    assert not notifications.mail_undeliverable(docs[0], tickets=InMemoryTickets(), clock=FixedClock(), error="x")
