"""Customers' sign-in codes in the helpdesk table: one item per identity, SIGNIN#<identity> / CODE.

Guesses are counted by a conditional update (a live code with attempts left), so parallel guesses can
never exceed the limit; a code is removed by a conditional update on its digest, so it is used once.
Every write bumps `version`: a new code is written only over the record it was computed from.
"""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.adapters.models import SignInItem, use_table
from chalicelib.domain.sign_in import MAX_ATTEMPTS, CodeRecord
from chalicelib.services.ports import SignInCodes, VersionConflict

CODE = "CODE"


def _pk(identity: str) -> str:
    return f"SIGNIN#{identity}"


def _record(item: SignInItem) -> CodeRecord:
    return CodeRecord(digest=item.digest, expires_at=item.code_expires_at, attempts=int(item.attempts),
                      sent=tuple(item.sent or ()), keep_until=item.expires_at, version=int(item.version))


def _condition_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


class DynamoSignInCodes(SignInCodes):
    def __init__(self, table_name: str):
        use_table(table_name)

    def get(self, identity: str) -> CodeRecord | None:
        try:
            return _record(SignInItem.get(_pk(identity), CODE, consistent_read=True))
        except SignInItem.DoesNotExist:
            return None

    def save(self, identity: str, record: CodeRecord) -> None:
        item = SignInItem(_pk(identity), CODE, digest=record.digest, code_expires_at=record.expires_at,
                          attempts=record.attempts, sent=list(record.sent), version=record.version,
                          expires_at=record.keep_until)
        expected = record.version - 1
        condition = SignInItem.pk.does_not_exist() if expected == 0 else SignInItem.version == expected
        try:
            item.save(condition=condition)
        except PutError as exc:
            if _condition_failed(exc):
                raise VersionConflict(identity) from exc
            raise

    def count_attempt(self, identity: str, now: datetime) -> CodeRecord | None:
        item = SignInItem(_pk(identity), CODE)
        try:
            item.update(actions=[SignInItem.attempts.add(1), SignInItem.version.add(1)],
                        condition=SignInItem.digest.exists() & (SignInItem.attempts < MAX_ATTEMPTS)
                        & (SignInItem.code_expires_at > now))
        except UpdateError as exc:
            if _condition_failed(exc):
                return None
            raise
        return _record(item)

    def consume(self, identity: str, digest: str) -> bool:
        item = SignInItem(_pk(identity), CODE)
        try:
            item.update(actions=[SignInItem.digest.remove(), SignInItem.code_expires_at.remove(),
                                 SignInItem.version.add(1)],
                        condition=SignInItem.digest == digest)
        except UpdateError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True
