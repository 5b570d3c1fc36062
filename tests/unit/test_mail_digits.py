"""Numbers in mail and SMS texts are in the reader's digits (Persian in fa, Arabic-Indic in ar), as the UI
writes them; what a machine reads (links, the "[#1005]" subject tag, codes, addresses) stays in ASCII."""
import re

import pytest

from chalicelib.domain import alerts, mail, sign_in
from chalicelib.domain.digits import local_digits
from chalicelib.domain.tickets import Language

PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
LINK = "https://help.example/customer/#/t/1005/abc123"
ASCII_DIGIT = re.compile(r"[0-9]")


def test_reader_digits_by_language():
    assert local_digits(1005, Language.FA) == "۱۰۰۵"
    assert local_digits("10:30", "ar") == "١٠:٣٠"
    assert local_digits(1005, Language.HE) == local_digits(1005, Language.EN) == "1005"
    assert int(local_digits(1234567890, Language.FA)) == 1234567890  # still the same number to Python


def _without(text: str, *machine_parts: str) -> str:
    for part in machine_parts:
        text = text.replace(part, "")
    return text


@pytest.mark.parametrize("template", ["received", "reminder", "closed_no_reply", "needs_info"])
def test_a_persian_customer_mail_writes_numbers_in_persian_digits_and_keeps_machine_parts_ascii(template):
    content = mail.render(template, Language.FA, to="maryam@example.ir", link=LINK, number=1005,
                          subject="چاپگر", name="مریم", agent="Ali", quote="")
    assert content.subject.startswith("[#1005] ")  # the tag people and filters match, in ASCII
    assert "۱۰۰۵" in content.text and "۱۰۰۵" in content.html
    assert LINK in content.text and f'href="{LINK}"' in content.html
    assert not ASCII_DIGIT.search(_without(content.text, LINK)), content.text  # no Latin digit but the link's


def test_what_people_wrote_keeps_its_digits():
    content = mail.render("agent_replied", Language.FA, to="m@example.ir", link=LINK, number=7,
                          subject="Printer 4000 error 0x80", name="Maryam 2", agent="Ali 3", quote="Try port 8080")
    assert content.subject == "[#7] پاسخ تازه: Printer 4000 error 0x80"
    assert "Try port 8080" in content.text and "Maryam 2" in content.text and "Ali 3" in content.text
    assert not ASCII_DIGIT.search(_without(content.text, LINK, "Try port 8080", "Maryam 2", "Ali 3"))


@pytest.mark.parametrize("language", [Language.HE, Language.EN])
def test_hebrew_and_english_mail_keep_latin_digits(language):
    content = mail.render("received", language, to="a@example.com", link=LINK, number=1005, subject="s", name="n")
    assert "1005" in content.text and not any(d in content.text for d in PERSIAN)


def test_the_sign_in_code_stays_ascii_and_its_minutes_are_persian():
    content = mail.render("sign_in_code", Language.FA, to="a@example.ir", code="482915", minutes=10)
    assert "482915" in content.text and "۱۰ دقیقه" in content.text
    sms = sign_in.code_sms("482915", Language.FA)
    assert "482915" in sms and f"{local_digits(sign_in.CODE_MINUTES, Language.FA)} دقیقه" in sms
    assert str(sign_in.CODE_MINUTES) in sign_in.code_sms("482915", Language.EN)


def test_agent_mail_due_time_reads_in_persian_digits():
    content = mail.render("sla_warning", Language.FA, to="a@example.com", link="https://p/#/tickets/1005",
                          number=1005, subject="s", name="n", due_at="2026-11-23T14:30:00+03:30")
    assert "۲۰۲۶-۱۱-۲۳ ۱۱:۰۰ (UTC)" in content.text and "۱۰۰۵" in content.text
    assert content.subject.startswith("[#1005]")


def test_the_open_tickets_list_of_a_refusal_reads_in_persian_digits():
    content = mail.refusal_answer(Language.FA, to="m@example.ir", name="مریم", subject="s",
                                  site_url="https://help.example/customer/", open_limit=3,
                                  open_tickets=[(1001, "چاپگر"), (1002, "Printer 2")])
    assert "- [#۱۰۰۱] چاپگر" in content.text and "- [#۱۰۰۲] Printer 2" in content.text and "۳ تیکت" in content.text


@pytest.mark.parametrize("template", sorted(alerts.SMS_TEXTS))
def test_persian_sms_numbers_are_persian_and_the_link_ascii(template):
    text = alerts.sms_text(template, Language.FA, number=1005, subject="چاپگر 3", link=LINK)
    assert "۱۰۰۵" in text and LINK in text
    assert "{subject}" not in alerts.SMS_TEXTS[template][Language.FA] or "چاپگر 3" in text  # as written
    assert "1005" not in _without(text, LINK)
    assert "1005" in alerts.sms_text(template, Language.HE, number=1005, subject="s", link=LINK)
