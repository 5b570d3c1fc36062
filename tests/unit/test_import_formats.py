"""The converters' pieces (ops/import_formats/): language, HTML bodies, osTicket's dates and delimiters."""
from pathlib import Path

import pytest

from ops.import_formats import osticket
from ops.import_formats.common import Placement, html_to_text, language_of


@pytest.mark.parametrize("texts, hint, expected", [
    (("سلام، سفارش من نرسیده",), None, "fa"),
    (("שלום, ההזמנה לא הגיעה",), None, "he"),
    (("Hello", "שלום"), None, "he"),
    (("Hello there",), None, "en"),
    (("Hello there",), "he-IL", "he"),
    (("Hello there",), "iw", "he"),
    (("سلام",), "de", "fa"),  # a locale that is none of ours: the script decides
])
def test_the_language_comes_from_the_locale_or_else_the_script(texts, hint, expected):
    assert language_of(*texts, hint=hint) == expected


def test_html_bodies_become_plain_text_with_their_line_breaks():
    body = "<div><p>سلام،</p><p>فاکتور &amp; رسید</p><script>alert(1)</script><br>خط&nbsp;سوم</div>"
    assert html_to_text(body) == "سلام،\n\nفاکتور & رسید\n\nخط سوم"
    assert html_to_text("no markup &amp; entities") == "no markup & entities"


def test_osticket_dates_are_read_in_the_desks_time_zone():
    dates = osticket.Dates(None, "Asia/Tehran")
    assert dates.iso("2026-06-03 10:12") == "2026-06-03T06:42:00+00:00"
    assert osticket.Dates("%d.%m.%Y %H:%M", "UTC").iso("03.06.2026 10:12") == "2026-06-03T10:12:00+00:00"
    assert dates.iso("yesterday") == "yesterday"  # left for the import to report by line and field


def test_an_osticket_export_with_semicolons_is_read(tmp_path: Path):
    csv_file = tmp_path / "tickets.csv"
    csv_file.write_text("Ticket Number;Date Created;Subject;From;From Email;Priority;Department;Help Topic;"
                        "Current Status\n500;2026-01-02 10:00;שאלה;יעל;yael@example.co.il;Emergency;Support;;Open\n",
                        encoding="utf-8")
    [record] = osticket.convert(csv_file, Placement("support", "technical"))
    assert (record["external_id"], record["priority"], record["status"], record["language"]) == (
        "500", "urgent", "open", "he")
    assert record["messages"][0]["text"] == osticket.MISSING_THREAD
    assert (record["department"], record["category"]) == ("support", "technical")
