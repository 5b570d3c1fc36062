"""The mail of the alerts (needs info, assigned, mentioned, SLA warning and breach) in fa, he and en."""
import pytest

from chalicelib.domain import mail
from chalicelib.domain.tickets import Language

VALUES = {"number": 1001, "subject": "Printer <b>broken</b>", "name": "Maryam", "author": "Noa",
          "due_at": "2026-11-23T11:00:00+00:00"}
TEMPLATES = ["needs_info", "assigned_to_you", "mentioned", "sla_warning", "sla_breached"]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("language", list(Language))
def test_every_alert_mail_renders_with_a_plain_part_a_link_and_the_language_direction(template, language):
    content = mail.render(template, language, to="x@example.com", link="https://help.example/portal/#/tickets/1001",
                          quote="@Maryam look", **VALUES)
    direction = "rtl" if language.is_rtl else "ltr"
    assert content.subject.startswith("[#1001]") and "Printer <b>broken</b>" in content.subject
    assert "1001" in content.text and "https://help.example/portal/#/tickets/1001" in content.text
    assert f'<html lang="{language.value}" dir="{direction}">' in content.html
    assert content.language == language


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_alert_mail_exists_in_the_three_languages_with_the_same_placeholders(template):
    import string

    def placeholders(language):
        return {name for text in mail.TEMPLATES[template][language].values()
                for _, name, _, _ in string.Formatter().parse(text) if name}

    assert set(mail.TEMPLATES[template]) == set(Language)
    assert placeholders(Language.FA) == placeholders(Language.HE) == placeholders(Language.EN)


def test_sla_mail_names_the_deadline_and_persian_text_reads_right_to_left():
    content = mail.render("sla_breached", Language.FA, to="x@example.com", link="https://l", **VALUES)
    assert "۲۰۲۶-۱۱-۲۳ ۱۱:۰۰ UTC" in content.text and "سرپرست" in content.text  # the reader's digits
    assert 'dir="rtl"' in content.html and "text-align:right" in content.html
