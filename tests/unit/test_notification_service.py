"""Which events mail the customer, and what the mail says."""
from chalicelib.domain import links
from chalicelib.domain.events import to_document
from chalicelib.services import notifications
from chalicelib.services import tickets as service
from tests.fakes import FakeAgents, FakeFiles, FakeMailer, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets
from tests.unit.test_ticket_services import AGENT, LIMITS, form

SITE = "https://help.example/customer/"


def documents_of_a_conversation(language="fa"):
    repo, clock = InMemoryTickets(), FixedClock()
    opened = service.open_ticket(tickets=repo, catalog=InMemoryCatalog(), agents=FakeAgents(), files=FakeFiles(),
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
    assert thread1 == thread2 == "ticket-1001" and id1 != id2


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
