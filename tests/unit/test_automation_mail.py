"""The mail the jobs' events send (reminder, closed for silence) and the rating links in reply mail,
in fa, he and en."""
import re

import pytest

from chalicelib.domain import links
from chalicelib.domain.events import to_document
from chalicelib.domain.tickets import EventType, Language
from chalicelib.services.notifications import mail_for_event
from tests.fakes import FakeSecrets
from tests.unit.test_automation import Desk

SITE = "https://help.example/customer/"
SECRET = FakeSecrets().link_secret()


def documents(desk, number, event_type):
    ticket = desk.tickets.get(number)
    return [to_document(e, ticket) for e in desk.tickets.timeline(number) if e.type == event_type]


def a_conversation(language: Language):
    desk = Desk(language=language)
    return desk, desk.waiting_on_customer()


def mail(doc):
    return mail_for_event(doc, secrets=FakeSecrets(), site_url=SITE)


def link_of(ticket):
    return links.ticket_link(SITE, ticket.number, links.derive_key(SECRET, ticket.number, ticket.link_salt))


@pytest.mark.parametrize("language,subject_word,direction", [
    (Language.FA, "منتظر پاسخ", "rtl"), (Language.HE, "ממתינים", "rtl"), (Language.EN, "waiting", "ltr")])
def test_a_reminder_mails_the_customer_in_their_language_with_the_ticket_link(language, subject_word, direction):
    desk, number = a_conversation(language)
    desk.clock.advance(days=6)
    desk.remind()
    [doc] = documents(desk, number, EventType.REMINDED)

    content = mail(doc)

    assert content.to == f"c{number}@example.com" and subject_word in content.subject
    assert f"[#{number}]" in content.subject and content.language == language
    assert link_of(desk.tickets.get(number)) in content.text and f'dir="{direction}"' in content.html


@pytest.mark.parametrize("language,subject_word,direction", [
    (Language.FA, "بسته شد", "rtl"), (Language.HE, "נסגרה", "rtl"), (Language.EN, "closed", "ltr")])
def test_closing_for_silence_tells_the_customer_a_reply_reopens_it(language, subject_word, direction):
    desk, number = a_conversation(language)
    desk.clock.advance(days=8)
    desk.close()
    [doc] = [d for d in documents(desk, number, EventType.STATUS_CHANGED) if d["data"].get("reason") == "no_reply"]

    content = mail(doc)

    assert subject_word in content.subject and f'dir="{direction}"' in content.html
    assert link_of(desk.tickets.get(number)) in content.text
    assert {Language.FA: "دوباره باز", Language.HE: "תיפתח מחדש", Language.EN: "opens again"}[language] in content.text


def test_status_changes_by_people_and_archiving_send_no_mail():
    desk, number = a_conversation(Language.EN)
    agent_change = documents(desk, number, EventType.STATUS_CHANGED)  # new -> awaiting, by the agent's reply
    desk.clock.advance(days=8)
    desk.close()
    desk.clock.advance(days=31)
    desk.archive()
    assert [mail(d) for d in agent_change + documents(desk, number, EventType.ARCHIVED)] == [None, None]


@pytest.mark.parametrize("language,good_word", [(Language.FA, "بله"), (Language.HE, "כן"), (Language.EN, "Yes")])
def test_reply_mail_carries_one_click_rating_links_signed_for_that_reply(language, good_word):
    desk, number = a_conversation(language)
    reply = desk.agent_replies(number, "Try again now")
    [doc] = [d for d in documents(desk, number, EventType.MESSAGE_ADDED) if d["message"]["id"] == reply.id]

    content = mail(doc)

    signature = links.rating_signature(SECRET, number, reply.id)
    for rating in ("good", "bad"):
        rating_link = f"{SITE}#/rate/{number}/{reply.id}/{signature}/{rating}"
        assert rating_link in content.text and f'href="{rating_link}"' in content.html
    assert good_word in content.text
    found = re.search(r"#/rate/(\d+)/(\w+)/([\w-]+)/good", content.text)
    assert links.rating_signature_matches(SECRET, int(found[1]), found[2], found[3])
