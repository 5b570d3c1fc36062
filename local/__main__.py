"""`make run` = `python -m local`: the whole help desk on this machine until Ctrl-C (or SIGTERM).

Ports come from API_PORT (8000), WEB_PORT (8080) and MOTO_PORT (5000). The state (moto's: tables, files,
queues, sent mail, users...) is kept in .local/state/ (`--state DIR` elsewhere, `--no-state` in memory only)
and loaded at the next start; `--fresh` starts over with demo data (`--no-seed`: empty).
When everything answers, it prints the addresses and demo accounts, then a line `READY` on stdout
(what scripts and tests wait for). Exit status 0 after a clean stop, 1 if it could not start.
"""
from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import sys
import threading
import time
import warnings

from pathlib import Path

from local.runtime import PROJECT_DIR, LocalStack, start

STATE_DIR = PROJECT_DIR / ".local" / "state"  # git ignores .local/


def _stop_requested(signum, frame):
    # SIGINT and SIGTERM both unwind the main thread into the cleanup below.
    raise KeyboardInterrupt


def _stop_when_parent_exits() -> None:
    """For a stack started by a test: if the test process dies without stopping it, stop anyway rather
    than linger holding the ports (an orphan is re-parented, so its parent pid changes)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def banner(stack: LocalStack) -> str:
    lines = [
        "",
        f"Help desk running locally ({stack.state_note}; Ctrl-C stops it)",
        "",
        f"  customer site   {stack.customer_url}",
        f"  agent portal    {stack.portal_url}",
        f"  API             {stack.api_url}/   (/health, /openapi.json)",
        f"  moto (AWS)      {stack.moto_url}/",
        f"  sent mail, SMS  {stack.moto_url}/_local/outbox.json",
    ]
    if stack.agents:
        lines += ["", f"  agents (password {stack.agents[0]['password']}):"]
        lines += [f"    {a['email']:<24} {', '.join(a['groups']):<14} {a['name']}"
                  + ("   (+ authenticator code: python -m local.totp)" if a.get("mfa") else "") for a in stack.agents]
    if stack.tickets:
        lines += ["", "  demo tickets (the customer's private links):"]
        lines += [f"    #{t['number']:<4} {t['language']}  {t['link']}" for t in stack.tickets]
    if stack.event_sources:
        lines += ["", "  events delivered locally:"] + [f"    {source}" for source in stack.event_sources]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.splitlines()[0])
    parser.add_argument("--no-seed", action="store_true", help="start without demo data")
    parser.add_argument("--fresh", action="store_true", help="start over: ignore the saved state (replaced at "
                        "the first save)")
    parser.add_argument("--state", type=Path, default=STATE_DIR, metavar="DIR",
                        help=f"where the state is kept (default: {STATE_DIR.relative_to(PROJECT_DIR)}/)")
    parser.add_argument("--no-state", action="store_true", help="keep the state in memory only (tests)")
    parser.add_argument("--state-from", type=Path, metavar="DIR",
                        help="start from the state another stack saved in DIR (left as it is): no provisioning, "
                             "no demo data to seed (tests)")
    parser.add_argument("--stop-with-parent", action="store_true", help="stop when the parent process exits")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("botocore", "pynamodb"):  # "Found credentials..." on every new client
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Every API call without a custom metric warns; pytest.ini ignores it the same way.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    # Explicitly: a shell starts background jobs with SIGINT ignored, and Python then keeps it ignored.
    signal.signal(signal.SIGINT, _stop_requested)
    signal.signal(signal.SIGTERM, _stop_requested)
    # `kill -USR1` prints every thread's stack: what a stop that hangs is waiting for (local/testing.py).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    if args.stop_with_parent:
        _stop_when_parent_exits()

    try:
        stack = start(api_port=int(os.environ.get("API_PORT", 8000)), web_port=int(os.environ.get("WEB_PORT", 8080)),
                      moto_port=int(os.environ.get("MOTO_PORT", 5000)), seed=not args.no_seed,
                      state_dir=None if args.no_state else args.state, fresh=args.fresh,
                      start_from=args.state_from)
    except KeyboardInterrupt:
        return 0  # stopped while starting; start() cleaned up
    except Exception as exc:
        logging.getLogger("local").error("could not start: %s", exc, exc_info=not isinstance(exc, OSError))
        return 1

    try:
        print(banner(stack), flush=True)
        print("READY", flush=True)
        while True:
            # Not signal.pause(): the kernel may hand SIGTERM to any of the stack's threads, and then pause()
            # in this one never returns; Python runs the handler here at the next wake-up.
            time.sleep(0.5)
    except (KeyboardInterrupt, BrokenPipeError):  # stop asked, or whoever started us stopped reading
        pass
    finally:
        # A second Ctrl-C must not cut the cleanup short (ports, moto).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            print("stopping...", flush=True)
        except OSError:  # nobody reads our output any more (a test runner that died)
            pass
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
