"""Canned answers in the helpdesk table (issue 15).

Items (pk / sk):
  CANNED#<scope key> / A#<id>   the answer (JSON document), its use counter `uses` and its `version`; one Query of
                                the partition lists a scope (personal#<agent>, group#<dept>/<group>,
                                department#<dept>, everyone)
  CANNEDID#<id> / WHERE         which scope partition holds the answer (ids stay the same when it moves)

Creating, moving and deleting write both items in one transaction; an edit is conditional on the version the
editor read; a use is an atomic ADD on the answer's counter.
"""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.models import _Meta, use_table
from chalicelib.domain.canned import Actions, CannedAnswer, Scope
from chalicelib.domain.tickets import Language
from chalicelib.services.canned import CannedAnswers, StaleAnswer

WHERE = "WHERE"


class CannedItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute()
    uses = NumberAttribute(default=0)
    version = NumberAttribute(default=1)


class CannedPointer(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    scope_key = UnicodeAttribute()


def _pk(scope: Scope) -> str:
    return f"CANNED#{scope.key}"


def answer_document(answer: CannedAnswer) -> dict:
    return {"id": answer.id, "title": answer.title, "bodies": {k.value: v for k, v in answer.bodies.items()},
            "scope": answer.scope.document(), "actions": answer.actions.document(), "created_by": answer.created_by}


def _item(answer: CannedAnswer) -> CannedItem:
    return CannedItem(pk=_pk(answer.scope), sk=f"A#{answer.id}", doc=answer_document(answer), uses=answer.uses,
                      version=answer.version)


def _answer(item: CannedItem) -> CannedAnswer:
    doc = item.doc
    return CannedAnswer(id=doc["id"], title=doc["title"], bodies={Language(k): v for k, v in doc["bodies"].items()},
                        scope=Scope.from_document(doc["scope"]), actions=Actions.from_document(doc.get("actions")),
                        created_by=doc.get("created_by", ""), uses=int(item.uses or 0), version=int(item.version or 1))


def _conditional_failed(exc) -> bool:
    if isinstance(exc, TransactWriteError):
        return any(r is not None and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or [])
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


class DynamoCannedAnswers(CannedAnswers):
    def __init__(self, table_name: str):
        use_table(table_name)
        self._connection: Connection | None = None

    def _transaction(self) -> TransactWrite:
        if self._connection is None:
            self._connection = Connection(region=CannedItem.Meta.region)
        return TransactWrite(connection=self._connection)

    def in_scope(self, scope: Scope) -> list[CannedAnswer]:
        return [_answer(item) for item in CannedItem.query(_pk(scope), CannedItem.sk.startswith("A#"))]

    def get(self, answer_id: str) -> CannedAnswer | None:
        try:
            pointer = CannedPointer.get(f"CANNEDID#{answer_id}", WHERE)
            return _answer(CannedItem.get(f"CANNED#{pointer.scope_key}", f"A#{answer_id}", consistent_read=True))
        except (CannedPointer.DoesNotExist, CannedItem.DoesNotExist):
            return None

    def create(self, answer: CannedAnswer) -> None:
        with self._transaction() as tx:
            tx.save(_item(answer), condition=CannedItem.pk.does_not_exist())
            tx.save(CannedPointer(pk=f"CANNEDID#{answer.id}", sk=WHERE, scope_key=answer.scope.key),
                    condition=CannedPointer.pk.does_not_exist())

    def replace(self, before: CannedAnswer, after: CannedAnswer) -> None:
        try:
            if before.scope.key == after.scope.key:
                # Only the document and version: a use counted meanwhile is kept.
                CannedItem(pk=_pk(before.scope), sk=f"A#{before.id}").update(
                    actions=[CannedItem.doc.set(answer_document(after)), CannedItem.version.set(after.version)],
                    condition=CannedItem.version == before.version)
                return
            with self._transaction() as tx:
                tx.delete(CannedItem(pk=_pk(before.scope), sk=f"A#{before.id}"),
                          condition=CannedItem.version == before.version)
                tx.save(_item(after))
                tx.save(CannedPointer(pk=f"CANNEDID#{after.id}", sk=WHERE, scope_key=after.scope.key))
        except (UpdateError, PutError, TransactWriteError) as exc:
            if _conditional_failed(exc):
                raise StaleAnswer() from None
            raise

    def delete(self, answer: CannedAnswer) -> None:
        try:
            with self._transaction() as tx:
                tx.delete(CannedItem(pk=_pk(answer.scope), sk=f"A#{answer.id}"),
                          condition=CannedItem.version == answer.version)
                tx.delete(CannedPointer(pk=f"CANNEDID#{answer.id}", sk=WHERE))
        except TransactWriteError as exc:
            if _conditional_failed(exc):
                raise StaleAnswer() from None
            raise

    def count_use(self, answer: CannedAnswer) -> None:
        try:
            CannedItem(pk=_pk(answer.scope), sk=f"A#{answer.id}").update(
                actions=[CannedItem.uses.add(1)], condition=CannedItem.pk.exists())
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise  # an answer deleted (or moved) meanwhile: the reply was sent, nothing to count
