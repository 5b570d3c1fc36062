"""Rebuild the search index from the table: `python -m ops.rebuild_search [--resume] [--batch N] [--local | --stack NAME]`.

Every ticket is read by number (1001 to the last handed out: no Scan) and its document replaced, a batch per
commit, under the index lease like the live indexer (which keeps running: they take turns; a ticket changed
meanwhile is re-indexed by its event). The live index keeps answering throughout; a rebuilt index returns the
same results as the incrementally built one (tests/integration/test_search_rebuild.py).

Progress (tickets, rate, ETA) goes to stderr. The checkpoint (--state, default .rebuild_search.json) records
the last number done; `--resume` starts after it. Ctrl-C stops after the batch being written.
Exit status: 0 done, 2 the stack could not be used, 130 stopped by Ctrl-C.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ops import stack as stacks

FIRST = 1001  # the first ticket number (adapters/dynamo.py next_number)
LEASE_RETRIES = 30


def _index_with_retries(index, pause: float = 2.0):
    """The live indexer may hold the lease for a moment: wait for it rather than fail the rebuild."""
    from chalicelib.adapters.search_store import LeaseLost

    class Patient:
        def write(self, documents, removed=()):
            for attempt in range(LEASE_RETRIES):
                try:
                    return index.write(documents, removed)
                except LeaseLost:
                    if attempt == LEASE_RETRIES - 1:
                        raise
                    time.sleep(pause)
    return Patient()


def run(*, first: int, last: int, batch: int, state: Path, err=None) -> int:
    from chalicelib import bootstrap
    from chalicelib.views.search import indexer

    err = err or sys.stderr
    index = _index_with_retries(bootstrap.search_index())
    started, total = time.monotonic(), max(0, last - first + 1)

    def done(upto: int, written: int) -> None:
        state.write_text(json.dumps({"done_upto": upto, "last": last}))
        count = upto - first + 1
        rate = count / max(time.monotonic() - started, 1e-6)
        eta = (last - upto) / rate if rate else 0
        err.write(f"\r{count}/{total} tickets ({written} indexed), {rate:.0f}/s, ETA {eta:.0f} s   ")
        err.flush()

    written = indexer.rebuild(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), index=index,
                              first=first, last=last, batch=batch, done=done)
    err.write(f"\ndone: {written} tickets indexed ({first}..{last})\n")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.rebuild_search", description=__doc__.splitlines()[0])
    parser.add_argument("--resume", action="store_true", help="start after the last number the last run finished")
    parser.add_argument("--batch", type=int, default=200, help="tickets per commit (default 200)")
    parser.add_argument("--state", type=Path, default=Path(".rebuild_search.json"), help="the checkpoint file")
    stacks.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        where = stacks.use(args)
        from chalicelib import bootstrap
        last = bootstrap.tickets().last_number()
    except Exception as exc:  # noqa: BLE001 - any reason the stack cannot be reached is said, not traced
        print(f"cannot use the stack: {exc}", file=sys.stderr)
        return 2
    first = FIRST
    if args.resume and args.state.exists():
        first = int(json.loads(args.state.read_text())["done_upto"]) + 1
        print(f"resuming after ticket {first - 1}", file=sys.stderr)
    print(f"rebuilding the search index of {where}: tickets {first}..{last}", file=sys.stderr)
    try:
        run(first=first, last=last, batch=max(1, args.batch), state=args.state)
    except KeyboardInterrupt:
        print("\nstopped: resume with  python -m ops.rebuild_search --resume", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
