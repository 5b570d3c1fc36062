"""The local stack (`make run`) holding a real desk: resident memory and POST /tickets latency at 100 and at
10,000 tickets, each filed through the API of a spawned stack (local.testing.spawn: fresh, in memory) and
answered once by an agent, with the event runner delivering everything (mail, indexing, reports) as it goes.

- local_rss_mb_100 / local_rss_mb_10k: resident memory (VmRSS) of the whole stack's process (moto, the API,
  the event runner) once the events of the tickets filed so far are delivered.
- local_create_p95_ratio_10k_100: p95 of POST /tickets (one client, one at a time, stack otherwise idle)
  at 10,000 tickets over that at 100. Figures from the same run, so the machine's speed cancels out.

`python -m bench.local [SIZE ...]` runs it alone (default 100 10000) and prints the figures.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

SIZES = (100, 10_000)
CLIENTS = 4  # parallel loaders
SAMPLES = 60  # POST /tickets timed at each size
LANGUAGES = ("fa", "en", "he")


def ticket(n: int) -> dict:
    language = LANGUAGES[n % 3]
    return {"subject": f"Bench ticket {n}", "department": "support", "category": "sign-in", "priority": "normal",
            "language": language, "customer": {"name": f"Customer {n}", "email": f"bench{n}@example.com"},
            "text": f"سلام، نمی‌توانم وارد شوم ({n}). I cannot sign in. אני לא מצליח להתחבר."}


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, timeout: float = 1800.0, window: float = 3.0) -> None:
    """Until the stack used under 10% of a core over `window` seconds: its events are delivered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(window)
        if cpu_seconds(pid) - before < 0.1 * window:
            return
    raise RuntimeError(f"the stack was still busy after {timeout}s")


class Desk:
    def __init__(self, stack) -> None:
        import boto3

        from local.seed import DEMO_PASSWORD
        from local.totp import sign_in
        self.stack, self.session = stack, requests.Session()
        cognito = boto3.client("cognito-idp", endpoint_url=stack.moto_url, region_name="us-east-1",
                               aws_access_key_id="bench", aws_secret_access_key="bench")
        [pool] = cognito.list_user_pools(MaxResults=10)["UserPools"]
        [client] = cognito.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
        # The demo admin answers the authenticator-code challenge (local/totp.py).
        self._sign_in = lambda: sign_in(cognito, client["ClientId"], "admin@example.com", DEMO_PASSWORD)["AccessToken"]
        self.token, self.signed_in = self._sign_in(), time.monotonic()
        self.failures: list[str] = []

    def open(self, n: int, session: requests.Session | None = None) -> tuple[int, float]:
        started = time.perf_counter()
        response = (session or self.session).post(f"{self.stack.api_url}/tickets", json=ticket(n), timeout=120)
        took = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"POST /tickets: {response.status_code} {response.text}")
        return response.json()["number"], took

    def answer(self, number: int, session: requests.Session) -> None:
        if time.monotonic() - self.signed_in > 1800:  # moto's tokens last an hour
            self.token, self.signed_in = self._sign_in(), time.monotonic()
        response = session.post(f"{self.stack.api_url}/agent/tickets/{number}/replies", timeout=120,
                                json={"text": "سلام، لطفاً دوباره امتحان کنید. Please try again."},
                                headers={"Authorization": f"Bearer {self.token}"})
        if response.status_code != 201:
            raise RuntimeError(f"reply to #{number}: {response.status_code} {response.text}")

    def load(self, first: int, count: int, already: int = 0) -> None:
        sessions: dict[int, requests.Session] = {}

        def one(n: int) -> None:
            import threading
            session = sessions.setdefault(threading.get_ident(), requests.Session())
            try:
                number, _ = self.open(n, session)
                self.answer(number, session)
            except RuntimeError as exc:  # counted and shown; more than a few stops the bench
                self.failures.append(str(exc))
                print(f"  local: {exc}", file=sys.stderr, flush=True)
                if len(self.failures) > 20:
                    raise

        with ThreadPoolExecutor(CLIENTS) as pool:
            for done, _ in enumerate(pool.map(one, range(first, first + count)), 1):
                if done % 1000 == 0:
                    print(f"  local: {already + done} tickets filed", file=sys.stderr, flush=True)

    def p95_create(self, first: int) -> float:
        times = [self.open(n)[1] for n in range(first, first + SAMPLES)]
        return statistics.quantiles(times, n=20)[-1]


def local_stack_costs(sizes=SIZES) -> dict:
    from local.testing import spawn

    # Every request of `chalice local` comes from 127.0.0.1, one client network: lift its allowance of
    # unconfirmed tickets (20 on AWS, per real client network), as the tests do.
    os.environ["UNCONFIRMED_PER_NETWORK"] = "1000000"
    stack = spawn(timeout=300)
    pid = stack.process.pid
    desk = None
    try:
        desk, filed, figures = Desk(stack), 0, {}
        for size in sizes:
            started = time.monotonic()
            desk.load(10_000_000 + filed, size - filed, already=filed)
            filed = size
            loaded_in = time.monotonic() - started
            wait_until_idle(pid)
            figures[size] = {"rss": rss_mb(pid), "p95": desk.p95_create(20_000_000 + size), "load_s": loaded_in}
            wait_until_idle(pid)
            print(f"  local: {size} tickets: {figures[size]}", file=sys.stderr, flush=True)
    except BaseException:
        print("\n".join(list(stack.output)[-200:]), file=sys.stderr)
        raise
    finally:
        if desk is not None and desk.failures:  # what the stack said about them
            print("\n".join(line for line in stack.output if "Traceback" in line or "Error" in line
                            or line.startswith("  File") or line.startswith("    ")), file=sys.stderr)
        stack.stop()
    small, large = sizes[0], sizes[-1]
    label = {100: "100", 10_000: "10k"}
    results = {f"local_rss_mb_{label.get(size, size)}": {
        "value": round(figures[size]["rss"]), "unit": "MB",
        "note": f"VmRSS of `python -m local` (moto, API, event runner) after {size} tickets filed through the API "
                f"with one agent reply each ({CLIENTS} clients), events delivered; loaded in "
                f"{figures[size]['load_s']:.0f}s" + (f"; {len(desk.failures)} request(s) failed" if desk.failures
                                                     else "")} for size in sizes}
    results[f"local_create_p95_ratio_{label.get(large, large)}_{label.get(small, small)}"] = {
        "value": round(figures[large]["p95"] / figures[small]["p95"], 2), "unit": "ratio",
        "note": f"p95 of POST /tickets ({SAMPLES} one at a time, stack idle) with {large} tickets "
                f"({figures[large]['p95'] * 1000:.0f} ms) over that with {small} ({figures[small]['p95'] * 1000:.0f} ms)"}
    return results


if __name__ == "__main__":
    import json
    print(json.dumps(local_stack_costs(tuple(int(a) for a in sys.argv[1:]) or SIZES), indent=2))
