"""What every queue consumer shares: an SQS batch with partial failures (a record that fails is retried
alone, then parked in its dead-letter queue), and work done once per item even when SQS delivers again
(Powertools idempotency, one persistence layer per consumer)."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable

ONCE_FOR_SECONDS = 7 * 24 * 3600  # longer than any redelivery: SQS keeps a message 4 days by default


def process_once(event, *, consumer: str, key_path: str, work: Callable[..., object],
                 items: Callable[[dict], Iterable[dict]] = lambda body: [body],
                 on_last_failure: Callable[[dict, Exception], None] | None = None, max_receives: int = 0) -> dict:
    """Run `work(item=...)` once for each item of each record's JSON body (`items` picks them; by default
    the body itself), deduplicated on the value at `key_path` of the item. `on_last_failure(item, error)` runs
    when the work fails on the record's last delivery (SQS's receive count has reached `max_receives`, the
    queue's maxReceiveCount): the record goes to the dead-letter queue next, and the consumer can say so."""
    # Imported here, not at module level: every function shares app.py and the API need not pay for it.
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

    from chalicelib.adapters.idempotency import persistence_layer

    once = IdempotencyConfig(event_key_jmespath=key_path, expires_after_seconds=ONCE_FOR_SECONDS)
    once.register_lambda_context(event.context)  # an in-progress record expires with the invocation
    work_once = idempotent_function(data_keyword_argument="item", persistence_store=persistence_layer(consumer),
                                    config=once)(work)

    def on_record(record) -> None:
        # A body that is not JSON fails this record only: retried, then parked in the DLQ for a person.
        for item in items(json.loads(record.body)):
            try:
                work_once(item=item)
            except Exception as exc:
                if on_last_failure and receive_count(record.raw_event) >= max_receives:
                    on_last_failure(item, exc)
                raise

    return process_partial_response(event=event.to_dict(), record_handler=on_record,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=event.context)


def receive_count(record: dict) -> int:
    """How many times SQS has handed this record out (1 on the first try; 1 when a test event does not say)."""
    try:
        return int((record.get("attributes") or {}).get("ApproximateReceiveCount", 1))
    except (TypeError, ValueError):
        return 1
