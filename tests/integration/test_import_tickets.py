"""Importing other desks' tickets into the moto stack: the Zendesk and osTicket samples under
tests/fixtures/import/ go through their converter (ops/import_formats/) and the import command
(ops/import_tickets.py) into the table, with files from a path and from an http URL. Each test imports
under its own source name, so the shared stack never holds a test's tickets twice."""
import functools
import http.server
import io
import json
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest

from chalicelib.domain.tickets import EventType, Priority, Status, Visibility
from ops import import_tickets
from ops.import_formats import osticket, zendesk
from ops.import_formats.common import Placement
from tests.fakes import FixedClock

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def file_server():
    """The fixtures over HTTP: Zendesk's attachments are URLs."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(FIXTURES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def write_lines(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def zendesk_file(tmp_path: Path, base_url: str, source: str) -> Path:
    placement = Placement.load(FIXTURES / "zendesk" / "map.json", None, None)
    records = json.loads(json.dumps(list(zendesk.convert(FIXTURES / "zendesk", placement, source, err=io.StringIO())),
                                    ensure_ascii=False).replace("{BASE}", base_url))
    return write_lines(tmp_path / "zendesk.jsonl", records)


def osticket_file(source: str) -> tuple[Path, list[dict]]:
    placement = Placement.load(FIXTURES / "osticket" / "map.json", None, None)
    records = list(osticket.convert(FIXTURES / "osticket" / "tickets.csv", placement,
                                    threads_csv=FIXTURES / "osticket" / "threads.csv", source=source))
    return records


def imported(tickets, source: str, external_id: str):
    number = tickets.imported(f"{source}#{external_id}")
    assert number is not None, f"{source} {external_id} was not imported"
    return tickets.get(number), tickets.timeline(number)


def run(path: Path, **kwargs):
    err = io.StringIO()
    kwargs.setdefault("allow_private_urls", True)  # the sample's files are served on loopback
    counts, finished = import_tickets.run(path, err=err, clock=FixedClock(NOW), **kwargs)
    return counts, finished, err.getvalue()


def test_a_zendesk_export_lands_with_its_conversation_statuses_and_times(aws_stack, tmp_path, file_server):
    from chalicelib import bootstrap

    source = f"zendesk-{uuid.uuid4().hex[:8]}"
    counts, finished, err = run(zendesk_file(tmp_path, file_server, source))
    assert finished and (counts.imported, counts.skipped, counts.bad, counts.refused_files) == (3, 0, 0, 1)
    assert "setup.exe" in err and "not_allowed" in err
    tickets = bootstrap.tickets()

    # 1201: Persian, solved there on 11 Aug; waiting on the customer here, so closed for silence a week after
    # their last message, as the desk's own job would have.
    ticket, timeline = imported(tickets, source, "1201")
    assert ticket.language == "fa" and ticket.subject == "صورتحساب شهریور دو بار کسر شده"
    assert (ticket.department, ticket.category, ticket.priority) == ("support", "billing", Priority.HIGH)
    assert ticket.customer.email == "maryam.ahmadi@example.com" and ticket.customer.phone == "+989121234567"
    assert ticket.assignee.id == "agent.one@example.com" and ticket.group == "first-line"
    assert ticket.created_at == utc("2026-08-10T06:30:00")
    assert ticket.status == Status.CLOSED and ticket.closed_at == utc("2026-08-18T15:00:00")
    messages = [e.message for e in timeline if e.message]
    assert [(m.author.kind, m.visibility, m.created_at) for m in messages] == [
        ("customer", Visibility.PUBLIC, utc("2026-08-10T06:30:00")),
        ("agent", Visibility.INTERNAL, utc("2026-08-10T07:00:00")),
        ("agent", Visibility.PUBLIC, utc("2026-08-10T09:15:00")),
        ("customer", Visibility.PUBLIC, utc("2026-08-11T15:00:00"))]
    assert messages[2].author.id == "agent.one@example.com" and messages[2].author.name == "Sara (Support)"
    receipt = messages[0].attachments[0]
    assert (receipt.filename, receipt.content_type) == ("رسید.png", "image/png")
    assert tickets.attachment(ticket.number, receipt.id) == receipt
    stored = boto3.client("s3").get_object(Bucket=aws_stack["ATTACHMENTS_BUCKET"], Key=receipt.key)["Body"].read()
    assert stored == (FIXTURES / "zendesk" / "files" / "screenshot.png").read_bytes()
    statuses = [e.data["to"] for e in timeline if e.type == EventType.STATUS_CHANGED]
    assert statuses == ["awaiting_customer", "open", "resolved", "closed"]
    assert [e.occurred_at for e in timeline] == sorted(e.occurred_at for e in timeline)

    # 1202: Hebrew, pending since 1 Sep: reminded and closed back then; the refused .exe is named on the message.
    ticket, timeline = imported(tickets, source, "1202")
    assert ticket.language == "he" and ticket.status == Status.CLOSED
    assert ticket.reminded_at == utc("2026-09-06T11:00:00") and ticket.closed_at == utc("2026-09-08T11:00:00")
    first = next(e.message for e in timeline if e.message)
    assert first.attachments == () and "setup.exe" in first.text and "לא יובא" in first.text

    # 1203: English, closed on 20 Jul, placed by its group in sales; no assignee.
    ticket, timeline = imported(tickets, source, "1203")
    assert (ticket.department, ticket.category, ticket.language) == ("sales", "quote", "en")
    assert ticket.status == Status.CLOSED and ticket.closed_at == utc("2026-07-20T10:00:00")
    assert ticket.assignee is None and ticket.priority == Priority.NORMAL
    assert tickets.imported(f"{source}#1204") is None  # deleted there: left out


def test_an_osticket_export_lands_and_its_bad_row_is_reported_by_line_and_field(aws_stack, tmp_path):
    from chalicelib import bootstrap

    source = f"osticket-{uuid.uuid4().hex[:8]}"
    # Paths in the threads export are relative to the import file: it sits beside the files.
    path = write_lines(tmp_path / "osticket.jsonl", osticket_file(source))
    (tmp_path / "files").symlink_to(FIXTURES / "osticket" / "files")
    counts, finished, err = run(path)
    assert finished and (counts.imported, counts.bad, counts.refused_files) == (3, 1, 1)
    assert f"line 4 ({source} 402120): customer.email: invalid" in err
    assert "'missing.pdf' of messages.0 not imported: not_found" in err
    tickets = bootstrap.tickets()

    ticket, timeline = imported(tickets, source, "402117")
    assert ticket.language == "fa" and ticket.customer.phone == "+989127654321"
    assert (ticket.category, ticket.status, ticket.closed_at) == ("billing", Status.CLOSED, utc("2026-06-05T16:40:00"))
    note, reply = [e.message for e in timeline if e.message][1:3]
    assert note.visibility == Visibility.INTERNAL and note.text == "شماره اقتصادی مشتری را از مالی بگیرم."
    assert (reply.attachments[0].filename, reply.attachments[0].content_type) == ("invoice-1403.pdf", "application/pdf")
    assert reply.text == "فاکتور رسمی پیوست است."

    # 402118: Hebrew, urgent, still open: its past SLA breach is recorded as history, nothing escalated, and it
    # waits in the department's queue.
    ticket, timeline = imported(tickets, source, "402118")
    assert (ticket.language, ticket.status, ticket.priority) == ("he", Status.OPEN, Priority.URGENT)
    assert ticket.agent_priority is None and ticket.assignee is None
    breaches = [e for e in timeline if e.type == EventType.SLA_BREACHED]
    assert [b.data["target"] for b in breaches] == ["resolution"]
    assert breaches[0].occurred_at < utc("2026-09-16T00:00:00")
    assert ticket.number in [t.number for t in bootstrap.ticket_views().queue("support")]
    assert ticket.number not in tickets.sla_due(NOW, 1000)
    first = next(e.message for e in timeline if e.message)
    assert [a.filename for a in first.attachments] == ["photo.png"] and "missing.pdf (not_found)" in first.text

    ticket, _ = imported(tickets, source, "402119")
    assert ticket.status == Status.CLOSED and ticket.closed_at == utc("2026-10-08T15:00:00")


def test_a_rerun_imports_nothing_twice(aws_stack, tmp_path):
    from chalicelib import bootstrap

    source = f"osticket-{uuid.uuid4().hex[:8]}"
    path = write_lines(tmp_path / "again.jsonl", osticket_file(source))
    (tmp_path / "files").symlink_to(FIXTURES / "osticket" / "files")
    first, _, _ = run(path)
    numbers = {e: bootstrap.tickets().imported(f"{source}#{e}") for e in ("402117", "402118", "402119")}
    timeline_length = len(bootstrap.tickets().timeline(numbers["402117"]))
    import_tickets.checkpoint_path(path).unlink()  # a run from the top, not a resume
    again, finished, _ = run(path)
    assert finished and (again.imported, again.skipped, again.bad) == (0, 3, 1)
    assert numbers == {e: bootstrap.tickets().imported(f"{source}#{e}") for e in numbers}
    assert len(bootstrap.tickets().timeline(numbers["402117"])) == timeline_length


def test_a_stopped_import_resumes_after_its_checkpoint(aws_stack, tmp_path, monkeypatch):
    from chalicelib import bootstrap
    from chalicelib.services import imports

    source = f"stop-{uuid.uuid4().hex[:8]}"
    records = osticket_file(source)[:3]
    path = write_lines(tmp_path / "stop.jsonl", records)
    (tmp_path / "files").symlink_to(FIXTURES / "osticket" / "files")
    real, calls = imports.import_ticket, []

    def stopped_on_the_second(doc, **ports):
        calls.append(doc["external_id"])
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second ticket is being written
        return real(doc, **ports)

    monkeypatch.setattr(imports, "import_ticket", stopped_on_the_second)
    counts, finished, err = run(path)
    assert not finished and counts.imported == 1 and "--resume" in err
    state = json.loads(import_tickets.checkpoint_path(path).read_text())
    assert state["line"] == 1
    monkeypatch.setattr(imports, "import_ticket", real)

    counts, finished, err = run(path, resume=True)
    assert finished and "resuming after line 1" in err and (counts.imported, counts.skipped) == (3, 0)
    assert all(bootstrap.tickets().imported(f"{source}#{r['external_id']}") for r in records)


def test_a_line_that_is_not_json_is_counted_and_the_rest_imported(aws_stack, tmp_path):
    source = f"broken-{uuid.uuid4().hex[:8]}"
    records = osticket_file(source)
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(records[2], ensure_ascii=False) + "\n{not json\n\n", encoding="utf-8")
    counts, finished, err = run(path)
    assert finished and (counts.imported, counts.bad) == (1, 1) and "line 2: not JSON" in err


def test_imported_events_reach_the_stream_marked_and_no_consumer_mails_or_texts(aws_stack, tmp_path, file_server):
    from chalicelib import bootstrap
    from chalicelib.services.alerts import alerts_for_event
    from chalicelib.services.notifications import mail_for_event

    source = f"zendesk-{uuid.uuid4().hex[:8]}"
    run(zendesk_file(tmp_path, file_server, source))
    numbers = {bootstrap.tickets().imported(f"{source}#{e}") for e in ("1201", "1202", "1203")}
    documents = [d for d in _stream_documents(aws_stack["HELPDESK_STREAM_ARN"]) if d.get("ticket_number") in numbers]
    assert {d["type"] for d in documents} >= {"ticket.created", "ticket.message_added", "ticket.status_changed",
                                             "ticket.reminder_sent", "ticket.assigned"}
    assert len(documents) == sum(len(bootstrap.tickets().timeline(n)) for n in numbers)
    for document in documents:
        assert document["data"]["imported"] is True
        assert mail_for_event(document, secrets=bootstrap.secrets(), site_url="http://x/") is None
        assert alerts_for_event(document, bootstrap.alert_desk(), now=NOW) == []


def _stream_documents(stream_arn: str) -> list[dict]:
    from chalicelib.adapters.outbox import event_document

    streams = boto3.client("dynamodbstreams")
    documents = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            got = streams.get_records(ShardIterator=iterator, Limit=1000)
            documents += [d for r in got["Records"] if (d := event_document(r))]
            if not got["Records"]:
                break
            iterator = got.get("NextShardIterator")
    return documents


def test_the_command_finds_a_local_stack_by_name_and_exits_1_for_bad_lines(aws_stack, tmp_path, monkeypatch):
    import os

    from chalicelib import bootstrap
    from ops import stack

    env = stack.local_environment("helpdesk-test", aws_stack["endpoint"])
    assert {k: env[k] for k in ("HELPDESK_TABLE", "ATTACHMENTS_BUCKET", "LINK_SECRET_ARN")} == {
        k: aws_stack[k] for k in ("HELPDESK_TABLE", "ATTACHMENTS_BUCKET", "LINK_SECRET_ARN")}

    source = f"cli-{uuid.uuid4().hex[:8]}"
    path = write_lines(tmp_path / "cli.jsonl", osticket_file(source)[2:])  # one good ticket, one bad row
    monkeypatch.setenv("MOTO_PORT", aws_stack["endpoint"].rsplit(":", 1)[1])
    saved = dict(os.environ)
    try:
        assert import_tickets.main([str(path), "--local", "helpdesk-test"]) == 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
        bootstrap.reset()
    assert bootstrap.tickets().imported(f"{source}#402119") is not None
    assert import_tickets.main([str(tmp_path / "missing.jsonl")]) == 2


def test_a_deployed_stack_is_named_by_its_outputs():
    from ops import stack

    class Outputs:
        def describe_stacks(self, StackName):
            assert StackName == "helpdesk-prod"
            return {"Stacks": [{"Outputs": [
                {"OutputKey": "HelpdeskTableName", "OutputValue": "helpdesk-prod-HelpdeskTable-1ABC"},
                {"OutputKey": "AttachmentsBucketName", "OutputValue": "helpdesk-prod-attachments-1xyz"},
                {"OutputKey": "LinkSecretArn", "OutputValue": "arn:aws:secretsmanager:eu-west-1:1:secret:LinkSecret-a"},
                {"OutputKey": "WebBucketName", "OutputValue": "ignored"}]}]}

    env = stack.deployed_environment("helpdesk-prod", "eu-west-1", cloudformation=Outputs())
    assert env == {"HELPDESK_TABLE": "helpdesk-prod-HelpdeskTable-1ABC",
                   "ATTACHMENTS_BUCKET": "helpdesk-prod-attachments-1xyz",
                   "LINK_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:LinkSecret-a",
                   "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}

    class NotOurs:
        def describe_stacks(self, StackName):
            return {"Stacks": [{"Outputs": []}]}

    with pytest.raises(SystemExit, match="HelpdeskTableName"):
        stack.deployed_environment("other", cloudformation=NotOurs())


def test_files_outside_the_files_root_or_on_private_addresses_are_refused_and_named(aws_stack, tmp_path, file_server):
    """An export is outside data, and its files become downloads for the ticket's customer: it must not make the
    import read the operator's disk or network (a cloud's metadata service) into a ticket."""
    from chalicelib import bootstrap

    source = f"hostile-{uuid.uuid4().hex[:8]}"
    record = osticket_file(source)[2]
    (tmp_path / "secret.txt").write_text("not for customers")
    (tmp_path / "export").mkdir()
    record["messages"][0]["attachments"] = [{"path": "../secret.txt"}, {"path": str(tmp_path / "secret.txt")},
                                            {"url": f"{file_server}/osticket/files/photo.png"},
                                            {"url": "http://169.254.169.254/latest/meta-data/iam/"}]
    path = write_lines(tmp_path / "export" / "hostile.jsonl", [record])
    counts, finished, err = run(path, allow_private_urls=False)
    assert finished and (counts.imported, counts.refused_files) == (1, 4)
    assert err.count("outside_files_root") == 2 and err.count("private_address") == 2
    ticket, timeline = imported(bootstrap.tickets(), source, "402119")
    first = next(e.message for e in timeline if e.message)
    assert first.attachments == () and first.text.count("[Not imported:") == 4
