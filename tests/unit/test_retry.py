"""The retry on a stale version, written once (services/retry.py), as each use case that commutes with a
concurrent change uses it: a lost race is decided again on a fresh read, and a write that keeps losing is
refused without writing anything twice."""
import pytest

from chalicelib.domain.sign_in import CustomerAccess
from chalicelib.domain.tickets import EventType
from chalicelib.errors import Conflict
from chalicelib.services import tickets as service
from chalicelib.services.ports import VersionConflict
from chalicelib.services.retry import SAVE_ATTEMPTS, retry_on_stale
from tests.fakes import desk_of
from tests.unit.test_ticket_services import open_ticket, ports  # noqa: F401  (fixture)


def test_an_attempt_that_loses_races_is_run_again_with_the_attempt_number():
    seen = []

    def attempt(n):
        seen.append(n)
        if n < SAVE_ATTEMPTS - 1:
            raise VersionConflict(7)
        return "saved"

    assert retry_on_stale(attempt) == "saved"
    assert seen == list(range(SAVE_ATTEMPTS))


def test_after_the_last_lost_race_the_caller_gets_a_conflict_or_its_own_refusal():
    def always_lost(_):
        raise VersionConflict(7)

    with pytest.raises(Conflict):
        retry_on_stale(always_lost)
    with pytest.raises(LookupError):
        retry_on_stale(always_lost, exhausted=lambda: LookupError("mine"))


def test_other_errors_are_not_retried():
    calls = []

    def refused(n):
        calls.append(n)
        raise ValueError("the decision itself refuses")

    with pytest.raises(ValueError):
        retry_on_stale(refused)
    assert calls == [0]


def test_the_sms_choice_is_decided_again_on_the_fresh_ticket_after_a_lost_race(ports):
    opened = open_ticket(ports, customer_phone="+989121234567")
    ports["tickets"].fail_next_saves = SAVE_ATTEMPTS - 1
    ticket = service.set_sms_updates(desk_of(ports), number=opened.number,
                                     access=CustomerAccess(key=opened.access_key), enabled=True)
    assert ticket.sms_updates
    changes = [e for e in ports["tickets"].timeline(opened.number) if e.type == EventType.SMS_UPDATES_CHANGED]
    assert len(changes) == 1


def test_the_sms_choice_that_keeps_losing_is_a_conflict_and_writes_nothing(ports):
    opened = open_ticket(ports, customer_phone="+989121234567")
    ports["tickets"].fail_next_saves = SAVE_ATTEMPTS
    with pytest.raises(Conflict):
        service.set_sms_updates(desk_of(ports), number=opened.number,
                                access=CustomerAccess(key=opened.access_key), enabled=True)
    assert not ports["tickets"].get(opened.number).sms_updates
