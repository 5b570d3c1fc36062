"""Characters no text of ours may hold (issue 11, finding 4): typed text with them is refused by the domain's
cleaners; text that came from mail has them removed by domain/text.without_unsafe_characters."""
import pytest

from chalicelib.domain.text import has_unsafe_characters, without_unsafe_characters
from chalicelib.domain.tickets import clean_subject, clean_text
from chalicelib.errors import Invalid

UNSAFE = ["\ud800", "\udfff", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f",
          "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
SAFE = ["سلام", "שלום", "می\u200cخواهم", "\u200f", "emoji 🙂", "a–b", "\u00a0"]  # ZWNJ, RLM and NBSP are text


@pytest.mark.parametrize("char", UNSAFE)
def test_surrogates_controls_and_bidi_controls_are_unsafe_everywhere(char):
    assert has_unsafe_characters(f"a{char}b") and has_unsafe_characters(f"a{char}b", multiline=True)
    with pytest.raises(Invalid) as refused:
        clean_subject(f"a{char}b")
    assert refused.value.fields == {"subject": "invalid_character"}
    with pytest.raises(Invalid) as refused:
        clean_text(f"a{char}b", "reason")
    assert refused.value.fields == {"reason": "invalid_character"}


@pytest.mark.parametrize("text", SAFE)
def test_letters_of_every_script_and_joiners_are_safe(text):
    assert not has_unsafe_characters(text)


def test_tabs_and_line_breaks_are_long_texts_own():
    assert not has_unsafe_characters("a\tb\nc\r\nd", multiline=True)
    assert has_unsafe_characters("a\tb") and has_unsafe_characters("a\nb")
    assert clean_text("one\n\ttwo") == "one\n\ttwo"
    assert clean_subject("  hello\r\nBcc: x@y.z ") == "hello Bcc: x@y.z"  # a header line, never two


def test_mail_text_has_them_removed_and_keeps_its_lines():
    assert without_unsafe_characters("inv\u202eoice\x00 \ud800ok\r\nnext\tcol\x1b[0m") == "invoice ok\nnext\tcol[0m"
    assert without_unsafe_characters("Re:\tthe\r\n subject\u2066", multiline=False) == "Re: the  subject"
    assert without_unsafe_characters("سلام\u200cدنیا") == "سلام\u200cدنیا"
    for char in UNSAFE:
        assert not has_unsafe_characters(without_unsafe_characters(f"x{char}y"), multiline=True)
        assert not has_unsafe_characters(without_unsafe_characters(f"x{char}\ny", multiline=False))
