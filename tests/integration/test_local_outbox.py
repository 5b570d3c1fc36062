"""The local outbox keeps bounded memory (local/outbox.py): moto keeps the newest mails and SMS, older ones move
to a file, and what local/mailbox.py reads is all of it, in order, each once."""
import gc
import json
import weakref

import boto3
import pytest

from local.mailbox import mail_to, sent_mail, sent_sms
from local.moto_server import MotoServer
from local.outbox import SENT, Outbox, public
from local.testing import free_port

REGION = "us-east-1"
SENDER = "helpdesk@example.com"


@pytest.fixture(scope="module")
def server():
    server = MotoServer(port=free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def outbox(server, tmp_path, monkeypatch):
    """An outbox keeping 3 of each kind in moto, over an outbox of its own (moto's is process-global)."""
    from moto.core.model_instances import model_data
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    for service, names in SENT.items():
        for name in names:
            if name in model_data.get(service, {}):
                monkeypatch.setattr(model_data[service][name], "instances_tracked", [])
    ses, sns = ses_backends["123456789012"][REGION], sns_backends["123456789012"][REGION]
    monkeypatch.setattr(ses, "sent_messages", [])
    monkeypatch.setattr(sns, "sms_messages", {})
    monkeypatch.setattr(sns, "sms_message_objects", {})
    monkeypatch.setattr(server, "outbox", Outbox(tmp_path / "outbox.jsonl", keep=3))
    return server.outbox


@pytest.fixture
def ses(server):
    client = boto3.client("ses", region_name=REGION, endpoint_url=server.url)
    client.verify_email_identity(EmailAddress=SENDER)
    return client


def send(ses, to: str, subject: str) -> None:
    raw = f"From: {SENDER}\r\nTo: {to}\r\nSubject: {subject}\r\nContent-Type: text/plain\r\n\r\n{subject} body\r\n"
    ses.send_raw_email(Source=SENDER, Destinations=[to], RawMessage={"Data": raw})


def in_moto():
    from moto.core.model_instances import model_data
    from moto.ses.models import ses_backends
    return (len(model_data["ses"]["RawMessage"].instances_tracked),
            len(ses_backends["123456789012"][REGION].sent_messages))


def test_older_mail_moves_to_the_file_and_is_still_read_in_order(server, outbox, ses):
    for n in range(5):
        send(ses, f"customer{n % 2}@example.com", f"mail {n}")

    assert outbox.spill() == 2
    assert in_moto() == (3, 3)
    assert outbox.spill() == 0  # nothing more beyond the newest 3
    assert [m.subject for m in sent_mail(server.url)] == [f"mail {n}" for n in range(5)]
    assert [m.subject for m in mail_to(server.url, "Customer0@example.com")] == ["mail 0", "mail 2", "mail 4"]
    assert [m.subject for m in mail_to(server.url, "customer1@example.com")] == ["mail 1", "mail 3"]
    assert mail_to(server.url, "customer@example.com") == []


def test_moto_lets_go_of_the_moved_mail(server, outbox, ses):
    from moto.core.model_instances import model_data

    for n in range(4):
        send(ses, "customer@example.com", f"mail {n}")
    oldest = weakref.ref(model_data["ses"]["RawMessage"].instances_tracked[0])

    outbox.spill()
    gc.collect()

    assert oldest() is None


def test_a_record_both_moved_and_still_in_moto_is_read_once(server, outbox, ses):
    """A stop between the file's write and moto letting go (or a state saved before the spill) leaves both."""
    from moto.core.model_instances import model_data

    send(ses, "customer@example.com", "only once")
    [kept] = model_data["ses"]["RawMessage"].instances_tracked
    outbox.path.write_text(json.dumps({"service": "ses", "model": "RawMessage", "record": public(kept)}) + "\n"
                           + '{"service": "ses", "mod')  # and a line cut short

    assert [m.subject for m in sent_mail(server.url)] == ["only once"]


def test_older_sms_move_too(server, outbox):
    sns = boto3.client("sns", region_name=REGION, endpoint_url=server.url)
    for n in range(5):
        sns.publish(PhoneNumber="+972544445566", Message=f"sms {n}")

    assert outbox.spill() == 2
    assert [s["message"] for s in sent_sms(server.url)] == [f"sms {n}" for n in range(5)]
    from moto.sns.models import sns_backends
    assert len(sns_backends["123456789012"][REGION].sms_messages) == 3


def test_a_fresh_start_forgets_the_earlier_desks_mail(server, outbox, ses):
    for n in range(4):
        send(ses, "customer@example.com", f"mail {n}")
    outbox.spill()

    outbox.clear()

    assert [m.subject for m in sent_mail(server.url)] == ["mail 1", "mail 2", "mail 3"]
