"""Numbers in the reader's digits, as the UI writes them (Intl.NumberFormat 'fa-IR' gives Persian digits).

Only text a person reads is converted: links, the "[#1005]" subject tag, Message-IDs, addresses, sign-in
codes (phones and mail apps offer to fill those in, reading ASCII digits) and whatever a person wrote stay
as they are. Reading goes the other way everywhere already: Persian and Arabic-Indic digits typed by a
customer are the same numbers as 0-9 (domain/text.py, domain/sign_in.py, domain/phones.py).
"""
from __future__ import annotations

# By language code: Persian uses the Extended Arabic-Indic digits ۰-۹ (U+06F0..), Arabic the Arabic-Indic
# digits ٠-٩ (U+0660..); Hebrew and English write 0-9.
_DIGITS = {
    "fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
    "ar": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
}


def local_digits(text: object, language: str) -> str:
    """`text` (a number or a string) with its ASCII digits written in `language`'s digits."""
    table = _DIGITS.get(str(language).lower().partition("-")[0])
    return str(text).translate(table) if table else str(text)
