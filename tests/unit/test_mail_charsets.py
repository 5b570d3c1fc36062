"""Charsets that a mail does not declare where Python looks (tests/fixtures/mail): an HTML body whose charset
is only in its <meta>, parts labelled "unknown-8bit" or with no charset at all, and a wrong label. The text
must come out exactly, never as replacement characters, in Persian, Arabic, Hebrew and Russian."""
from pathlib import Path

import pytest

from chalicelib.domain import inbound, mail_body
from chalicelib.domain.tickets import Language

MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def text_of(name: str) -> str:
    return inbound.parse((MAIL / name).read_bytes()).text


@pytest.mark.parametrize("name, expected", [
    # Windows Persian keyboards write Arabic yeh and kaf in windows-1256.
    ("html_meta_windows_1256.eml", "سلام، رمز عبور من از ديروز كار نمي كند و پيام خطا مي دهد. لطفا راهنمايي كنيد."),
    ("html_meta_charset_1255.eml", "שלום, האתר שלכם לא נטען מהבוקר ומציג שגיאה 502. אפשר לבדוק?"),
    ("unknown_8bit_cyrillic.eml",
     "Здравствуйте! Принтер на третьем этаже печатает пустые страницы. Помогите, пожалуйста."),
    ("unknown_8bit_arabic.eml", "مرحبا، الطابعة في الطابق الثالث لا تعمل منذ الصباح. أرجو المساعدة في أقرب وقت ممكن."),
    ("no_charset_koi8_r.eml", "Добрый день. Не могу войти в личный кабинет, пишет неверный пароль."),
    ("unknown_8bit_hebrew_subject_hint.eml", "הנתב לא עובד"),
    ("mislabelled_ascii_persian.eml", "صورتحساب اين ماه دو بار از حساب من كم شده است."),
])
def test_undeclared_charsets_decode_exactly(name, expected):
    text = text_of(name)
    assert text == expected
    assert "\ufffd" not in text


def test_the_language_of_a_meta_charset_mail_is_recognised():
    assert inbound.guess_language(text_of("html_meta_windows_1256.eml")) == Language.FA
    assert inbound.guess_language(text_of("html_meta_charset_1255.eml")) == Language.HE


def test_a_declared_charset_wins_over_the_meta_and_detection():
    html = '<meta charset="windows-1256"><p>Grüße</p>'.encode("utf-8")
    part = _part(html, "text/html; charset=utf-8")
    assert mail_body.html_to_text(mail_body.decode_text(part)) == "Grüße"


@pytest.mark.parametrize("text, charset", [
    ("سلام دنیا، چاپگر کار نمی‌کند".replace("ی", "ي").replace("ک", "ك").replace("\u200c", " "), "cp1256"),
    ("المشكلة ما زالت قائمة بعد إعادة التشغيل", "iso8859_6"),
    ("המדפסת עדיין לא עובדת אחרי האתחול", "cp1255"),
    ("Принтер всё ещё не работает после перезагрузки", "cp1251"),
    ("Принтер всё ещё не работает после перезагрузки", "koi8_r"),
    ("Der Drucker druckt nur leere Seiten, schöne Grüße", "cp1252"),
])
def test_detection_reads_our_languages_codepages(text, charset):
    assert mail_body.detect_text(text.encode(charset)) == text


def test_utf8_without_a_label_is_utf8_and_nothing_is_replaced():
    part = _part("چاپگر کار نمی‌کند".encode("utf-8"), "text/plain; charset=unknown-8bit")
    assert mail_body.decode_text(part) == "چاپگر کار نمی‌کند"


def _part(data: bytes, content_type: str):
    from email import message_from_bytes, policy
    raw = f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".encode() + data
    return message_from_bytes(raw, policy=policy.default)
