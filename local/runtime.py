"""The whole system on this machine, in one process: moto's server, the resources of infra/ created in it,
the Chalice API, the event runner (stream, queues, schedules), both web sites, and demo data.

    stack = start(api_port=8000, web_port=8080, moto_port=5000)
    ...
    stack.stop()

`start` sets the process environment (the Lambda variables, AWS_ENDPOINT_URL...) and `stop` restores
it; moto's state is process-global. So one stack per process — tests that also use moto themselves
should run `python -m local` as a subprocess instead (local/testing.py).
"""
from __future__ import annotations

import importlib
import itertools
import logging
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

log = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REGION = "us-east-1"
STACK_NAME = "helpdesk-local"
MAIL_FROM = "helpdesk@example.com"
# moto's state is process-global and outlives a stopped server: a later stack in the same process gets
# its own resource names rather than wiping state another user of moto in this process may hold.
_stacks_started = itertools.count(1)
# How often expired items are deleted (DynamoDB's TTL: in the background, typically within minutes to hours).
TTL_SWEEP_SECONDS = 60.0
OUTBOX_FILE = "outbox.jsonl"  # the older mail and SMS "sent" (local/outbox.py), beside the saved state


@dataclass
class LocalStack:
    api_url: str
    web_url: str
    moto_url: str
    env: dict[str, str]  # what the Lambda code sees (provisioned resources included)
    event_sources: list[str] = field(default_factory=list)
    agents: list[dict] = field(default_factory=list)  # [{"email", "groups", "password"}]
    tickets: list[dict] = field(default_factory=list)  # [{"number", "access_key", "link", "language", "subject"}]
    state_note: str = "state in memory"  # where the state lives, for the banner
    _parts: list = field(default_factory=list, repr=False)  # things with .stop(), in start order
    _saved_env: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def customer_url(self) -> str:
        return f"{self.web_url}/customer/"

    @property
    def portal_url(self) -> str:
        return f"{self.web_url}/portal/"

    def stop(self) -> None:
        """Stops everything (event runner first, moto last), releases the ports, restores the environment.
        Safe to call twice."""
        while self._parts:
            part = self._parts.pop()
            started = time.monotonic()
            try:
                part.stop()
            except Exception:
                log.exception("stopping %s", type(part).__name__)
            took = time.monotonic() - started
            log.log(logging.INFO if took > 1 else logging.DEBUG, "%s stopped in %.1fs", type(part).__name__, took)
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()


def base_environment(moto_url: str, region: str = REGION) -> dict[str, str]:
    """What every local process needs before any AWS client exists: moto as the endpoint of every
    client (boto3 and PynamoDB honour AWS_ENDPOINT_URL), credentials that can reach nothing real."""
    return {
        "AWS_ENDPOINT_URL": moto_url, "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "helpdesk",
        "POWERTOOLS_METRICS_NAMESPACE": "Helpdesk",
    }


def start(api_port: int = 8000, web_port: int = 8080, moto_port: int = 5000, seed: bool = True,
          host: str = HOST, state_dir: Path | None = None, fresh: bool = False,
          start_from: Path | None = None) -> LocalStack:
    """With `state_dir`, moto's state is loaded from there if it was saved before (then nothing is provisioned
    or seeded: it is all there; `fresh` ignores it), and saved there while running and at stop
    (local/state.py). `start_from` loads the state another stack saved in that folder and leaves the folder as
    it is (tests start from one seeded state instead of seeding each stack)."""
    from local.events import EventRunner
    from local.moto_server import MotoServer
    from local.state import StateKeeper
    from local.web import WebServer, bucket_reader, site_config

    for name, port in (("API_PORT", api_port), ("WEB_PORT", web_port), ("MOTO_PORT", moto_port)):
        _ensure_free(host, port, name)  # fail in a second, not after provisioning
    share_botocore_models()
    web_url = f"http://{host}:{web_port}"
    stack = LocalStack(api_url=f"http://{host}:{api_port}", web_url=web_url, moto_url=f"http://{host}:{moto_port}",
                       env={})
    try:
        server = MotoServer(host, moto_port).start()
        stack._parts.append(server)
        keeper = StateKeeper(server, state_dir)
        loaded = keeper.load(start_from) if start_from else None if fresh else keeper.load()
        _keep_upkeep(stack, server, keeper, state_dir, loaded is not None, start_from)
        if state_dir is None:
            stack.state_note = f"state in memory{f', started from {_shown(start_from)}' if start_from else ''}"
        else:
            stack.state_note = f"state {'loaded from' if loaded else 'kept in'} {_shown(state_dir)}"
        stack._parts.append(keeper)  # stopped after the API and the event runner: the last save sees it all
        stack.env = base_environment(stack.moto_url)
        _set_environment(stack, stack.env)

        if loaded:
            resources = dict(loaded["env"])
            stack.agents, stack.tickets = loaded["meta"].get("agents", []), loaded["meta"].get("tickets", [])
            if resources.get("WEB_ORIGIN") != web_url:  # saved by a stack whose web site had another port
                _follow_web_site(stack, resources["WEB_ORIGIN"], resources["CUSTOMER_SITE_URL"])
            resources.update(WEB_ORIGIN=web_url, CUSTOMER_SITE_URL=stack.customer_url)
        else:
            from local.provision import provision
            number = next(_stacks_started)
            stack_name = STACK_NAME if number == 1 else f"{STACK_NAME}-{number}"
            resources = provision(stack.moto_url, stack_name=stack_name, web_origin=web_url,
                                  customer_site_url=stack.customer_url, mail_from=MAIL_FROM)
        # Tokens' keys come from moto; the issuer stays the real Cognito host (chalicelib/settings.py).
        # Addresses follow this run's ports, even for a state saved by a run on other ones.
        resources["JWKS_URL"] = f"{stack.moto_url}/{resources['USER_POOL_ID']}/.well-known/jwks.json"
        keeper.env = resources
        stack.env.update(resources)
        _set_environment(stack, resources)

        from local.api_server import ApiServer, chalice_config
        # The stage's environment variables (.chalice/config.json), before the import as `chalice local` does.
        _set_environment(stack, chalice_config().environment_variables)
        app = import_app()
        stack._parts.append(ApiServer(app, host, api_port).start())
        stack._parts.append(WebServer(site_config(
            api_url=stack.api_url, region=REGION, cognito_endpoint=f"{stack.moto_url}/",
            client_id=resources["USER_POOL_CLIENT_ID"]), host, web_port,
            bucket_read=bucket_reader(resources["WEB_BUCKET"]) if resources.get("WEB_BUCKET") else None).start())
        runner = EventRunner.from_environment(app).start()
        keeper.checkpoints = runner.stream_checkpoints
        stack._parts.append(runner)
        stack.event_sources = list(runner.sources)
        _wait_until_answering(f"{stack.api_url}/health")

        if seed and not loaded:
            _seed(stack)
            # READY once the demo data's events are handled: its mail sent, its tickets searchable, its reports
            # counted, and a newcomer's first ticket not queued behind them.
            if not runner.settle():
                log.warning("the demo data's events are still being handled; search and reports fill in shortly")
        keeper.meta = {"agents": stack.agents, "tickets": stack.tickets}
        keeper.start()
        return stack
    except BaseException:  # Ctrl-C during start too: leave no server or port behind
        stack.stop()
        raise


def _keep_upkeep(stack: LocalStack, server, keeper, state_dir: Path | None, loaded: bool,
                 start_from: Path | None = None) -> None:
    """What the stack does with moto at rest, at each of the keeper's rounds: delete items whose TTL passed,
    and move older mail and SMS from moto's memory to the outbox's file (a temporary one without state)."""
    import shutil
    import tempfile

    from local.moto_patches import expire_items
    from local.outbox import Outbox
    from local.state import Every

    folder = state_dir
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="helpdesk-local-outbox-"))
        stack._parts.append(_Stoppable(lambda: shutil.rmtree(folder, ignore_errors=True)))  # after the keeper's
    if start_from is not None and (start_from / OUTBOX_FILE).exists():  # the older mail of the state started from
        shutil.copyfile(start_from / OUTBOX_FILE, folder / OUTBOX_FILE)
    server.outbox = Outbox(folder / OUTBOX_FILE)
    if not loaded:  # a fresh desk: an earlier one's mail is not its
        server.outbox.clear()
    keeper.chores += [Every(TTL_SWEEP_SECONDS, expire_items), server.outbox.spill]


def _follow_web_site(stack: LocalStack, old_origin: str, old_customer_url: str) -> None:
    """A state saved while the web site was on another port: the buckets' CORS and the demo tickets' private
    links follow it to this one. (Mail already sent keeps the links it was sent with, as real mail would.)"""
    from local.provision import follow_web_origin

    follow_web_origin(stack.moto_url, old_origin, stack.web_url)
    for ticket in stack.tickets:
        if ticket.get("link", "").startswith(old_customer_url):
            ticket["link"] = stack.customer_url + ticket["link"][len(old_customer_url):]
    log.info("the saved state's web site was on %s; its buckets and links now follow %s", old_origin, stack.web_url)


class _Stoppable:
    def __init__(self, stop) -> None:
        self.stop = stop


def share_botocore_models() -> None:
    """One copy of each AWS service model in the process. botocore parses a service's JSON model once per
    session, and sessions are many here: moto's, boto3's, and PynamoDB's, which makes one per thread, so
    every API request (each on a new thread of the local server) parsed the DynamoDB model again (tens of
    ms) and the threads alive held a copy each. In Lambda a process has one thread: this is local only."""
    from botocore import loaders

    if getattr(loaders.Loader, "shared_caches", None) is not None:
        return
    caches: dict[tuple, dict] = {}
    init = loaders.Loader.__init__

    def __init__(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        # Loaders that look in the same places load the same data: they share one cache.
        where = (tuple(self._search_paths), tuple(getattr(self, "_extras_types", ())), type(self.file_loader))
        self._cache = caches.setdefault(where, {})

    loaders.Loader.__init__ = __init__
    loaders.Loader.shared_caches = caches


def import_app():
    """The Chalice app object of app.py, imported after the environment is set (PynamoDB and settings read
    it). If this process imported it before, forget the adapters it wired for another environment."""
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    already_imported = "app" in sys.modules
    module = importlib.import_module("app")
    if already_imported:
        _forget_wiring()
    return module.app


def _forget_wiring() -> None:
    from chalicelib import bootstrap
    bootstrap.reset()


def _seed(stack: LocalStack) -> None:
    import boto3

    from local import seed

    stack.agents = seed.seed_agents(boto3.client("cognito-idp"), stack.env["USER_POOL_ID"],
                                    client_id=stack.env["USER_POOL_CLIENT_ID"])
    seed.seed_catalog()  # its groups and supervisors must be agents already
    seed.seed_profiles()
    seed.seed_canned()
    stack.tickets = seed.seed_tickets()
    seed.seed_kb()
    history = seed.seed_report_history()  # closed tickets of the past weeks: the reports page's figures
    log.info("seeded %d departments, %d agents, %d tickets (and %d past ones)", len(seed.DEPARTMENTS),
             len(stack.agents), len(stack.tickets), history)


def _shown(path: Path) -> str:
    try:
        return f"{path.resolve().relative_to(PROJECT_DIR)}/"
    except ValueError:
        return f"{path}/"


def _set_environment(stack: LocalStack, values: dict[str, str]) -> None:
    for key, value in values.items():
        stack._saved_env.setdefault(key, os.environ.get(key))
        os.environ[key] = value


def _ensure_free(host: str, port: int, variable: str) -> None:
    with socket.socket() as probe:
        # As the servers bind: a port left in TIME_WAIT by a previous run is free, a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise OSError(f"{host}:{port} is in use; choose another port with {variable}=...") from None


def _wait_until_answering(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout}s")
        time.sleep(0.1)
