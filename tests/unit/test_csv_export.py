"""web/shared/csv.js, run by node: the portal's CSV exports start with a BOM and neutralize formula cells."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

CSV_JS = Path(__file__).resolve().parents[2] / "web" / "shared" / "csv.js"
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def to_csv(rows) -> str:
    script = (f"import {{toCsv}} from {json.dumps(CSV_JS.as_uri())};"
              f"process.stdout.write(JSON.stringify(toCsv({json.dumps(rows)})));")
    out = subprocess.run(["node", "--input-type=module", "-e", script], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def test_the_file_starts_with_a_bom_and_keeps_persian_and_hebrew_text():
    text = to_csv([["نام", "שם"], ["سارا", "דנה"]])
    assert text.startswith("\ufeff")
    assert text == '\ufeff"نام","שם"\r\n"سارا","דנה"\r\n'


@pytest.mark.parametrize("cell, written", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"\"http://x\"\")"),
    ("+98912", "'+98912"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("a=b", "a=b"),       # only the first character counts
    ("12", "12"),
])
def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralized(cell, written):
    assert to_csv([[cell]]) == f'\ufeff"{written}"\r\n'


def test_numbers_and_empty_cells():
    assert to_csv([[3, None, ""]]) == '\ufeff"3","",""\r\n'
