"""The same words written differently must match: Arabic vs Persian letters, ZWNJ, harakat, Hebrew
points and final letters, digits of every script."""
import pytest

from chalicelib.domain.text import normalize, tokens


@pytest.mark.parametrize("a,b", [
    ("علي", "علی"),                    # Arabic yeh / Farsi yeh
    ("كتاب", "کتاب"),                  # Arabic kaf / keheh
    ("مدرسة", "مدرسه"),                # teh marbuta -> heh
    ("خانۀ", "خانه"),                  # heh with yeh above
    ("آب", "اب"), ("أحمد", "احمد"), ("إيران", "ایران"),  # alef variants
    ("می\u200cخواهم", "میخواهم"),        # ZWNJ inside a Persian word
    ("مُحَمَّد", "محمد"),                # harakat
    ("كـــتاب", "کتاب"),               # tatweel
    ("שָׁלוֹם", "שלום"),                 # Hebrew points
    ("ספר", "ספר"), ("מלך", "מלכ"),    # final kaf
    ("שלום", "שלומ"),                  # final mem
    ("۱۲۳", "123"), ("٤٥٦", "456"),    # Persian and Arabic-Indic digits
    ("Printer", "printer"),
])
def test_spellings_that_mean_the_same_normalize_equal(a, b):
    assert normalize(a) == normalize(b)


def test_different_words_stay_different():
    assert normalize("کتاب") != normalize("کتب")
    assert normalize("שלום") != normalize("שלם")


def test_tokens_split_on_spaces_punctuation_and_maqaf():
    assert tokens("چاپگر، کار نمی‌کند!") == ["چاپگر", "کار", "نمیکند"]
    assert tokens("בית־ספר") == ["בית", "ספר"]
    assert tokens("Order #۴۲ failed") == ["order", "42", "failed"]


def test_digit_folding_agrees_with_python_int():
    assert int("۱۲۳") == int(normalize("۱۲۳")) == 123
