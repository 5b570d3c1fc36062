"""Read models: views of the desk built from the ticket events, kept apart from the write side (issue 14,
GUIDE §7; cosmicpython's `views.py`).

Each read model lives in its own module or package here, with
- its queue: an SQS queue subscribed to the ticket-events topic (every event, internal ones too, unless it
  says otherwise), with a dead-letter queue and an alarm (infra/);
- its consumer: an idempotent handler in chalicelib/events/ that reads only the event contract
  (chalicelib/domain/event_contract.py: `readable(document)` first, then only the fields the contract
  names) and re-reads the table by key when it needs the current state, so redelivery and reordering
  converge to the same view;
- its storage (index files in S3, aggregate items in DynamoDB, ...) behind a port, so that another store can
  take its place;
- a rebuild from the table (an ops command: resumable, progress shown) whose result equals the live view.

Read models are never written on the request path. The first is search (the ticket index); reports come
next. Pure text analysis shared by them lives in chalicelib/domain/search_text.py.
"""
