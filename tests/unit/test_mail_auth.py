"""SES's verdicts on a received mail (domain/mail_auth.py): only the block SES prepends is evidence, and the rule
that proves a sender. Mail is built the way SES stores it (local/inbound.py `ses_received`)."""
from email.message import EmailMessage

import pytest

from chalicelib.domain import inbound
from chalicelib.domain.mail_auth import Verdicts, read_verdicts
from local.inbound import ses_received


def written(sender: str = "Dana <dana@example.org>", *top: tuple[str, str], **headers) -> bytes:
    """A mail as its sender wrote it; `top` headers come first (where a forger would put fake verdicts)."""
    message = EmailMessage()
    for name, value in top:
        message[name] = value
    message["From"] = sender
    message["To"] = "helpdesk@example.com"
    message["Subject"] = "Printer"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("hello")
    return message.as_bytes()


def verdicts(raw: bytes) -> Verdicts:
    return inbound.parse(raw).verdicts


def test_all_pass_proves_the_sender_and_reads_every_verdict():
    mail = inbound.parse(ses_received(written()))
    assert mail.verdicts == Verdicts(spf="pass", spf_domain="example.org", dkim=(("pass", "example.org"),),
                                     dmarc="pass", dmarc_domain="example.org", spam="PASS", virus="PASS")
    assert mail.sender_authenticated


@pytest.mark.parametrize("fail, dmarc_record, proven", [
    ((), True, True),
    (("dmarc",), True, False),                 # DMARC failed: nothing else counts
    (("dmarc", "spf", "dkim"), True, False),
    (("spf", "dkim"), False, False),           # no DMARC record, and neither SPF nor DKIM passed
    (("spf",), False, True),                   # no DMARC record: DKIM aligned with From proves it
    (("dkim",), False, True),                  # no DMARC record: SPF aligned with From proves it
    (("spam",), True, False),                  # authenticated, but SES judged it spam: joins no ticket either
    (("virus",), True, True),                  # proven, but quarantined before anything else (services/intake.py)
])
def test_the_rule(fail, dmarc_record, proven):
    assert inbound.parse(ses_received(written(), fail=fail, dmarc_record=dmarc_record)).sender_authenticated is proven


def test_without_dmarc_spf_must_be_aligned_with_the_from_domain():
    # A bulk sender's envelope (bounces@mailer.example.net) passing SPF says nothing about example.org.
    raw = ses_received(written(Return_Path="<bounces@mailer.example.net>"), fail=("dkim",), dmarc_record=False)
    assert verdicts(raw).spf == "pass" and verdicts(raw).spf_domain == "mailer.example.net"
    assert not inbound.parse(raw).sender_authenticated
    # Its own subdomain is aligned.
    raw = ses_received(written(Return_Path="<bounces@mail.example.org>"), fail=("dkim",), dmarc_record=False)
    assert inbound.parse(raw).sender_authenticated


def test_unstamped_mail_proves_nothing():
    assert verdicts(written()) == Verdicts()
    assert not inbound.parse(written()).sender_authenticated


def test_verdicts_a_sender_wrote_below_ses_are_not_evidence():
    forged = (("Authentication-Results", "amazonses.com; spf=pass; dkim=pass header.i=@example.org; "
                                         "dmarc=pass header.from=example.org;"),
              ("X-SES-Spam-Verdict", "PASS"), ("X-SES-Virus-Verdict", "PASS"))
    raw = ses_received(written("dana@example.org", *forged), fail=("dmarc", "spf", "dkim", "spam", "virus"))
    found = verdicts(raw)
    assert (found.dmarc, found.spf, found.spam, found.virus) == ("fail", "fail", "FAIL", "FAIL")
    assert not inbound.parse(raw).sender_authenticated and found.infected


def test_verdicts_below_another_relay_or_from_another_service_are_not_evidence():
    relayed = (("Received", "from evil (evil [203.0.113.9]) by mx.evil.example"),
               ("Authentication-Results", "amazonses.com; dmarc=pass header.from=example.org"))
    assert read_verdicts([("Received", "by inbound-smtp"), *relayed]) == Verdicts()
    other = [("Authentication-Results", "mx.google.com; spf=pass smtp.mailfrom=dana@example.org; "
                                        "dmarc=pass header.from=example.org")]
    assert read_verdicts(other) == Verdicts()
    # The block ends at the first header SES does not write: verdicts after it are the sender's.
    assert read_verdicts([("Return-Path", "<a@b>"), ("From", "dana@example.org"), ("X-SES-Virus-Verdict", "FAIL")]
                         ) == Verdicts()


def test_dmarc_pass_counts_only_for_the_domain_in_from():
    # SES evaluated DMARC for example.net; a From: that reads differently (two addresses, a parser trick) is not it.
    found = read_verdicts([("Authentication-Results", "amazonses.com; dmarc=pass header.from=example.net;")])
    assert found.authenticates("dana@example.net") and not found.authenticates("dana@example.org")
    assert not found.authenticates("") and not found.authenticates("no-domain")


def test_folded_real_world_header_is_read():
    value = ("amazonses.com;\r\n spf=pass (spfCheck: domain of example.co.il designates 192.0.2.1 as permitted "
             "sender) client-ip=192.0.2.1; envelope-from=yossi@example.co.il; helo=mail.example.co.il;\r\n"
             " dkim=fail header.i=@other.example;\r\n dkim=pass header.i=@example.co.il;\r\n"
             " dmarc=none header.from=example.co.il;")
    found = read_verdicts([("Authentication-Results", value), ("X-SES-Spam-Verdict", "GRAY")])
    assert found.dkim == (("fail", "other.example"), ("pass", "example.co.il")) and found.dmarc == "none"
    assert found.authenticates("Yossi@Example.co.il") and found.spam == "GRAY" and not found.spam_suspect
