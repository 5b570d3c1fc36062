"""The answer to a person's mail that became no ticket (domain/mail.py `refusal_answer`), in fa, he and en:
a plain-text part always, RTL HTML for fa and he, the reason in words, and marked as an automatic reply."""
import string

import pytest

from chalicelib.domain import mail
from chalicelib.domain.digits import local_digits
from chalicelib.domain.tickets import Language

SITE = "https://help.example/customer/"
OPEN = [(1001, "Printer <b>broken</b>"), (1002, "چاپگر")]
WORDS = {  # a word of each refusal, per language
    Language.EN: ("open tickets", "reply to one of our mails", "could not open a ticket"),
    Language.FA: ("تیکت باز", "به یکی از نامه‌های ما", "نتوانستیم از این نامه تیکتی باز کنیم"),
    Language.HE: ("פניות פתוחות", "להשיב לאחת מההודעות שלנו", "לא הצלחנו לפתוח פנייה"),
}


def answer(language, **kwargs):
    return mail.refusal_answer(language, to="c@example.com", name="Noa", subject="Help <now>", site_url=SITE,
                               answers="abc@client.example", **kwargs)


@pytest.mark.parametrize("language", list(Language))
def test_the_open_limit_answer_names_each_open_ticket_in_both_parts(language):
    content = answer(language, reason="customer.email:open_limit", open_limit=5, open_tickets=OPEN)
    direction = "rtl" if language.is_rtl else "ltr"
    limit_word, reply_word, _ = WORDS[language]
    assert content.language == language and "Help <now>" in content.subject
    n1001, n1002 = local_digits(1001, language), local_digits(1002, language)  # the reader's digits
    assert local_digits(5, language) in content.text and limit_word in content.text and reply_word in content.text
    assert f"- [#{n1001}] Printer <b>broken</b>" in content.text and f"- [#{n1002}] چاپگر" in content.text
    assert f'<li dir="auto">[#{n1001}] Printer &lt;b&gt;broken&lt;/b&gt;</li>' in content.html  # escaped
    assert f"{SITE}#/tickets" in content.text and f'href="{SITE}#/tickets"' in content.html
    assert f'<html lang="{language.value}" dir="{direction}">' in content.html
    assert (content.in_reply_to, content.auto_submitted) == ("abc@client.example", "auto-replied")


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("reason,key", [("no_department", "no_department"), ("text:too_long", "too_long"),
                                        ("something:else", "other")])
def test_other_refusals_say_why_in_words_and_link_the_web_form(language, reason, key):
    content = answer(language, reason=reason)
    assert WORDS[language][2] in content.text and mail.REFUSAL_REASONS[key][language] in content.text
    assert f"{SITE.rstrip('/')}/" in content.text and "<ul>" not in content.html
    assert "reason" not in content.text and reason not in content.text  # words, not codes
    assert content.auto_submitted == "auto-replied"


@pytest.mark.parametrize("language", list(Language))
def test_a_refused_reply_names_its_ticket(language):
    content = answer(language, reason="text:too_long", number=1042)
    assert content.subject.startswith("[#1042]") and local_digits(1042, language) in content.text
    assert mail.REFUSAL_REASONS["too_long"][language] in content.text


@pytest.mark.parametrize("template", ["mail_refused_open_limit", "mail_refused", "mail_reply_refused"])
def test_every_refusal_exists_in_the_three_languages_with_the_same_placeholders(template):
    def placeholders(language):
        return {name for text in mail.TEMPLATES[template][language].values()
                for _, name, _, _ in string.Formatter().parse(text) if name}

    assert set(mail.TEMPLATES[template]) == set(Language)
    assert placeholders(Language.FA) == placeholders(Language.HE) == placeholders(Language.EN)
    assert set(mail.REFUSAL_REASONS["other"]) == set(Language)


def test_other_mail_is_unchanged_by_the_list_and_stays_auto_generated():
    content = mail.render("received", Language.EN, to="c@example.com", link="https://x", number=1, subject="s",
                          name="n")
    assert "<ul>" not in content.html and "\n- " not in content.text
    assert (content.in_reply_to, content.auto_submitted) == ("", "auto-generated")
