"""One contract for the sign-in code store, run against DynamoDB (moto) and the in-memory fake the unit
tests use. The races are the point: guesses counted atomically, a code used once, a record written only
over the one it was computed from."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.sign_in import MAX_ATTEMPTS, CodeRecord
from chalicelib.domain.tickets import new_id
from chalicelib.services.ports import VersionConflict
from tests.fakes import InMemorySignInCodes

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["dynamodb", "memory"])
def codes(request):
    if request.param == "memory":
        return InMemorySignInCodes()
    request.getfixturevalue("aws_stack")
    from chalicelib import bootstrap
    return bootstrap.sign_in_codes()


def an_identity() -> str:
    return f"email:c-{new_id()[:8]}@example.com"


def with_code(codes, digest="d1", at=NOW) -> tuple[str, CodeRecord]:
    identity = an_identity()
    record = CodeRecord().issued(digest, at, field="email")
    codes.save(identity, record)
    return identity, record


def test_a_saved_record_reads_back_whole(codes):
    identity, record = with_code(codes)
    assert codes.get(identity) == record
    assert codes.get(an_identity()) is None


def test_a_record_is_written_only_over_the_version_it_was_computed_from(codes):
    identity, first = with_code(codes)
    second = first.issued("d2", NOW + timedelta(minutes=1), field="email")
    codes.save(identity, second)
    with pytest.raises(VersionConflict):
        codes.save(identity, first.issued("d3", NOW + timedelta(minutes=1), field="email"))  # computed from v1
    with pytest.raises(VersionConflict):
        codes.save(an_identity(), second)  # nothing stored yet: only a version-1 record may be written
    assert codes.get(identity).digest == "d2"


def test_each_guess_is_counted_and_bumps_the_version(codes):
    identity, record = with_code(codes)
    counted = codes.count_attempt(identity, NOW + timedelta(minutes=1))
    assert (counted.attempts, counted.digest, counted.version) == (1, "d1", record.version + 1)
    assert codes.get(identity) == counted


def test_an_expired_code_or_no_code_takes_no_guess(codes):
    identity, record = with_code(codes)
    assert codes.count_attempt(identity, record.expires_at) is None
    assert codes.count_attempt(an_identity(), NOW) is None
    assert codes.get(identity).attempts == 0


def test_parallel_guesses_never_exceed_the_attempts(codes):
    identity, _ = with_code(codes)
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: codes.count_attempt(identity, NOW), range(20)))
    counted = [r for r in results if r is not None]
    assert len(counted) == MAX_ATTEMPTS
    assert sorted(r.attempts for r in counted) == list(range(1, MAX_ATTEMPTS + 1))
    assert codes.get(identity).attempts == MAX_ATTEMPTS


def test_a_code_is_consumed_once_even_by_parallel_callers(codes):
    identity, _ = with_code(codes)
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: codes.consume(identity, "d1"), range(10)))
    assert results.count(True) == 1
    stored = codes.get(identity)
    assert stored.digest is None and stored.expires_at is None and len(stored.sent) == 1  # the throttle remembers
    assert codes.count_attempt(identity, NOW) is None


def test_consuming_a_code_that_was_replaced_does_nothing(codes):
    identity, first = with_code(codes)
    codes.save(identity, first.issued("d2", NOW, field="email"))
    assert codes.consume(identity, "d1") is False
    assert codes.get(identity).digest == "d2"


def test_parallel_requests_for_codes_write_each_version_once(codes):
    identity, record = with_code(codes)

    def issue(n):
        try:
            codes.save(identity, record.issued(f"parallel-{n}", NOW, field="email"))
            return True
        except VersionConflict:
            return False

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert list(pool.map(issue, range(10))).count(True) == 1
    assert codes.get(identity).version == record.version + 1


def test_the_item_expires_by_ttl_when_the_throttle_window_ends(aws_stack):
    import boto3

    from chalicelib import bootstrap
    identity, record = with_code(bootstrap.sign_in_codes())
    item = boto3.client("dynamodb").get_item(TableName=aws_stack["HELPDESK_TABLE"],
                                             Key={"pk": {"S": f"SIGNIN#{identity}"}, "sk": {"S": "CODE"}})["Item"]
    assert int(item["expires_at"]["N"]) == int((NOW + timedelta(hours=1)).timestamp())
