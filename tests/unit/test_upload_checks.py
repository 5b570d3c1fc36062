"""Uploads are checked once, when S3 announces them (services/uploads.check_upload, the uploads queue's work),
and a message accepts only checked ones, reading all their verdicts at once: in-memory ports."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.attachments import UploadState
from chalicelib.errors import Invalid
from chalicelib.services import uploads
from tests.fakes import PDF, PNG, FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets
from tests.unit.test_ticket_services import LIMITS, open_ticket, reply_as_agent

A, B = "a" * 32, "b" * 32


@pytest.fixture
def ports():
    return {"tickets": InMemoryTickets(), "catalog": InMemoryCatalog(), "agents": FakeAgents(), "files": FakeFiles(),
            "secrets": FakeSecrets(), "clock": FixedClock(), "limits": LIMITS}


def kept(ports) -> dict:
    return {k: v for k, v in ports["files"].objects.items() if k.startswith("attachments/")}


def test_checked_files_are_attached_with_one_read_of_their_records_and_no_look_at_the_objects(ports):
    files = ports["files"]
    files.put_upload(A, "application/pdf", PDF, "رسید.pdf")
    files.put_upload(B, "image/png", PNG, "צילום.png")
    inspected_at_upload = files.inspections

    opened = open_ticket(ports, attachments=[A, B])

    first = ports["tickets"].timeline(opened.number)[1].message
    assert [(a.filename, a.content_type, a.size) for a in first.attachments] == [
        ("رسید.pdf", "application/pdf", len(PDF)), ("צילום.png", "image/png", len(PNG))]
    assert files.record_reads == 1 and files.inspections == inspected_at_upload
    assert sorted(v[1] for v in kept(ports).values()) == sorted([PDF, PNG])


def test_a_file_not_checked_yet_is_not_ready_and_nothing_is_written(ports):
    ports["files"].put_upload(A, "application/pdf", PDF)
    ports["files"].put_upload(B, "image/png", PNG, checked=False)  # S3's announcement not handled yet
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=[A, B])
    assert refused.value.fields == {"attachments.1": "not_ready"}
    assert ports["tickets"].tickets == {} and not kept(ports)

    uploads.check_upload(ports["files"], LIMITS, B)  # the announcement arrives
    opened = open_ticket(ports, attachments=[A, B])
    assert len(ports["tickets"].timeline(opened.number)[1].message.attachments) == 2 and len(kept(ports)) == 2


@pytest.mark.parametrize("data,stored_type,problem", [
    (b"<svg onload=alert(1)>", None, "type_mismatch"),   # bytes that are not a PNG
    (PDF, "application/pdf", "not_allowed"),             # another type than the grant allowed
    (b"", None, "empty"),
])
def test_a_refused_file_is_refused_with_its_reason(ports, data, stored_type, problem):
    ports["files"].put_upload(A, "image/png", data, stored_type=stored_type)
    assert ports["files"].records[A].state == UploadState.REFUSED
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=[A])
    assert refused.value.fields == {"attachments.0": problem}
    assert not kept(ports)


def test_every_bad_file_is_reported_at_once(ports):
    ports["files"].put_upload(A, "image/png", b"MZ\x90\x00")
    ports["files"].put_upload(B, "image/png", PNG, checked=False)
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=[A, B, "f" * 32])
    assert refused.value.fields == {"attachments.0": "type_mismatch", "attachments.1": "not_ready",
                                    "attachments.2": "not_uploaded"}


def test_an_object_nobody_was_granted_is_never_recorded_nor_attached(ports):
    # Someone posts under an id of their choosing (moto, or a replayed policy): no grant, no record.
    ports["files"].put_upload(A, "image/png", PNG, granted=False)
    assert uploads.check_upload(ports["files"], LIMITS, A) is None and A not in ports["files"].records
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=[A])
    assert refused.value.fields == {"attachments.0": "not_uploaded"}


def test_the_name_and_type_are_the_grants_not_what_the_object_claims(ports):
    grant = uploads.start_upload(ports["files"], LIMITS, filename="../../رسید\u202e.pdf",
                                 content_type="application/pdf", size=len(PDF))
    record = ports["files"].records[grant.upload_id]
    assert (record.state, record.filename, record.content_type) == (UploadState.PENDING, "رسید.pdf", "application/pdf")
    # The object arrives with other metadata (a browser may send anything to moto).
    ports["files"].put_upload(grant.upload_id, "application/pdf", PDF, filename="evil.html")
    opened = open_ticket(ports, attachments=[grant.upload_id])
    [attachment] = ports["tickets"].timeline(opened.number)[1].message.attachments
    assert attachment.filename == "رسید.pdf"


def test_the_checked_version_is_attached_even_if_another_was_posted_over_it_since(ports):
    ports["files"].put_upload(A, "image/png", PNG)
    # The grant is still valid: the same key gets a second post, whose check has not run yet.
    ports["files"].put_upload(A, "image/png", b"<html>not the checked file</html>", checked=False)
    open_ticket(ports, attachments=[A])
    assert [v[1] for v in kept(ports).values()] == [PNG]


def test_checking_again_writes_the_same_record(ports):
    ports["files"].put_upload(A, "application/pdf", PDF)
    first = ports["files"].records[A]
    assert uploads.check_upload(ports["files"], LIMITS, A) == first  # a redelivered announcement
    assert ports["files"].records[A] == first and first.state == UploadState.READY and first.version


def test_a_late_announcement_of_a_new_version_records_that_version(ports):
    ports["files"].put_upload(A, "image/png", PNG)
    ports["files"].put_upload(A, "image/png", b"<html>", checked=False)
    checked = uploads.check_upload(ports["files"], LIMITS, A)
    assert (checked.state, checked.problem, checked.version) == (UploadState.REFUSED, "type_mismatch", "v2")


def test_an_expired_upload_is_not_uploaded(ports):
    ports["files"].put_upload(A, "image/png", PNG)
    record = ports["files"].records[A]
    ports["files"].records[A] = replace(record, expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=[A])
    assert refused.value.fields == {"attachments.0": "not_uploaded"}


def test_a_file_checked_under_a_higher_limit_is_too_large_now(ports):
    ports["files"].put_upload(A, "application/pdf", PDF + b"0" * 2000)  # checked before the limit was lowered
    assert ports["files"].records[A].state == UploadState.READY
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=[A])
    assert refused.value.fields == {"attachments.0": "too_large"}


def test_an_agents_reply_accepts_files_the_same_way(ports):
    opened = open_ticket(ports)
    ports["files"].put_upload(A, "image/png", PNG, checked=False)
    with pytest.raises(Invalid) as refused:
        reply_as_agent(ports, opened.number, attachments=[A])
    assert refused.value.fields == {"attachments.0": "not_ready"}
    uploads.check_upload(ports["files"], LIMITS, A)
    reply = reply_as_agent(ports, opened.number, attachments=[A])
    assert [a.size for a in reply.attachments] == [len(PNG)] and ports["files"].record_reads == 2


def test_no_files_no_read(ports):
    open_ticket(ports)
    assert ports["files"].record_reads == 0
