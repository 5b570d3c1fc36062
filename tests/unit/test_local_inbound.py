"""`python -m local.inbound`: stamps SES's verdicts as SES would (all PASS by default), with a switch to fail one."""
import sys

import pytest

from chalicelib.domain import inbound
from local import inbound as command
from tests.unit.test_inbound_mail import MAIL


@pytest.fixture
def delivered(monkeypatch):
    stored: list[bytes] = []
    monkeypatch.setattr(command, "attachments_bucket", lambda url, stack: "bucket")
    monkeypatch.setattr(command, "deliver", lambda url, raw, bucket: stored.append(raw) or "inbound/k")
    return stored


def run(monkeypatch, *args: str) -> None:
    monkeypatch.setattr(sys, "argv", ["local.inbound", *args])
    command.main()


def test_by_default_every_verdict_passes(monkeypatch, delivered):
    run(monkeypatch, str(MAIL / "new_multipart_en.eml"))
    [raw] = delivered
    mail = inbound.parse(raw)
    assert mail.sender_authenticated and mail.verdicts.virus == "PASS" and mail.verdicts.spam == "PASS"
    assert raw.endswith((MAIL / "new_multipart_en.eml").read_bytes())  # the mail itself is unchanged below


def test_fail_switches_and_a_domain_without_dmarc(monkeypatch, delivered):
    run(monkeypatch, "--fail", "dmarc", "--fail", "virus", str(MAIL / "new_multipart_en.eml"))
    run(monkeypatch, "--no-dmarc-record", "--fail", "spf", "--fail", "dkim", str(MAIL / "new_multipart_en.eml"))
    run(monkeypatch, "--raw", str(MAIL / "new_multipart_en.eml"))
    failed, no_record, raw = (inbound.parse(r) for r in delivered)
    assert (failed.verdicts.dmarc, failed.verdicts.infected, failed.sender_authenticated) == ("fail", True, False)
    assert (no_record.verdicts.dmarc, no_record.sender_authenticated) == ("none", False)
    assert raw.verdicts.dmarc == "" and not raw.sender_authenticated


def test_an_unknown_verdict_is_refused(monkeypatch, delivered, capsys):
    with pytest.raises(SystemExit):
        run(monkeypatch, "--fail", "dnssec", str(MAIL / "new_multipart_en.eml"))
    assert "invalid choice" in capsys.readouterr().err and delivered == []
