"""The local stack's state on disk, so that `make run` keeps what it holds across a restart.

What is kept is moto's own state: every service backend that was used (DynamoDB with its streams, S3 with
the files, SQS with undelivered messages, SES and SNS with the outbox, Cognito's user pool and users,
Secrets Manager, CloudFormation's stack...), pickled as one object graph, so the objects they share (a stack
and the table it created) stay one object. Beside it: the environment provision() returned and what the
banner shows. Why pickling moto rather than dumping through the AWS APIs: see docs/local.md.

    keeper = StateKeeper(server, Path(".local/state"))
    loaded = keeper.load()      # None (nothing saved) or {"env": ..., "meta": ...}; moto now holds it
    keeper.start(...)           # saves every few seconds when moto's state changed
    keeper.stop()               # saves one last time

A file is written whole to a temporary name, flushed to disk, then renamed over the old one: a stop at
any moment leaves the previous state or the new one, never a torn one. One that cannot be read anyway is
moved aside (its name says when) and reported; the stack then starts afresh.
"""
from __future__ import annotations

import importlib
import logging
import os
import pickle
import threading
import time
import typing
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATE_FILE = "moto.pickle"
FORMAT = 1  # bump when what is saved changes shape: an older file is then moved aside, not misread
SAVE_EVERY_SECONDS = 5.0


class UnreadableState(Exception):
    pass


# --- what pickle cannot do alone ------------------------------------------------------------------------

def _lock_types() -> tuple[type, ...]:
    return type(threading.Lock()), type(threading.RLock())


def _key_types() -> tuple[tuple[type, ...], tuple[type, ...]]:
    from cryptography.hazmat.primitives.asymmetric import types
    return typing.get_args(types.PrivateKeyTypes), typing.get_args(types.PublicKeyTypes)


def _private_key(pem: bytes):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    return load_pem_private_key(pem, password=None)


def _public_key(pem: bytes):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    return load_pem_public_key(pem)


class _Pickler(pickle.Pickler):
    """Locks (SQS queues, S3 keys' buffers, ...) come back as new, unheld locks; keys (Cognito's signing key,
    KMS's keys) as PEM."""

    def __init__(self, file) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._locks = _lock_types()
        self._private, self._public = _key_types()

    def reducer_override(self, obj):
        if isinstance(obj, self._locks):
            return (threading.RLock if isinstance(obj, self._locks[1]) else threading.Lock), ()
        if isinstance(obj, self._private):
            from cryptography.hazmat.primitives import serialization as s
            return _private_key, (obj.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()),)
        if isinstance(obj, self._public):
            from cryptography.hazmat.primitives import serialization as s
            return _public_key, (obj.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo),)
        return NotImplemented


# --- moto's backends ------------------------------------------------------------------------------------

def _backend_dicts() -> list[tuple[str, str, Any]]:
    """(module, name, BackendDict) of every moto service used in this process."""
    from moto.core.base_backend import BackendDict

    found = []
    for backends in list(BackendDict._instances):
        module = importlib.import_module(backends.backend.__module__)
        name = next((n for n, v in vars(module).items() if v is backends), None)
        if name is None:
            raise RuntimeError(f"moto's {backends.service_name} backends are not a module attribute")
        found.append((module.__name__, name, backends))
    return found


def snapshot() -> list[tuple[str, str, str, str, Any]]:
    return [(module, name, account, region, backend)
            for module, name, backends in _backend_dicts()
            for account, regions in list(backends.items()) for region, backend in list(regions.items())]


def install(backends: list[tuple[str, str, str, str, Any]]) -> None:
    """Puts saved backends in moto's process-global registry, in place of any it holds."""
    for module, name, account, region, backend in backends:
        registry = getattr(importlib.import_module(module), name)
        dict.__setitem__(registry[account], region, backend)  # registry[account] creates the account's dict
        if hasattr(backend, "shard_iterators"):  # DynamoDB Streams: readers of the last run are gone
            backend.shard_iterators.clear()


def drop_delivered_stream_records(checkpoints: dict[str, dict[str, int]]) -> int:
    """Drops the stream records every reader is done with (Lambda's checkpoint): moto keeps every record
    forever (DynamoDB: 24 hours), and the next start reads what is left. Sequence numbers stay as they were.
    Call with moto at rest. Returns how many were dropped."""
    from moto.dynamodb.models import dynamodb_backends

    dropped = 0
    for _, regions in list(dynamodb_backends.items()):
        for _, backend in list(regions.items()):
            for table in list(backend.tables.values()):
                shard = table.stream_shard
                if shard is None:
                    continue
                done = checkpoints.get(f"{table.table_arn}/stream/{table.latest_stream_label}", {}).get(shard.id)
                if done is None:
                    continue
                count = min(done - shard.starting_sequence_number + 1, len(shard.items))
                if count > 0:
                    del shard.items[:count]
                    shard.starting_sequence_number += count
                    dropped += count
    return dropped


# --- the file -------------------------------------------------------------------------------------------

def write_atomically(path: Path, write) -> None:
    """`write(file)` into a temporary file beside `path`, flushed to disk, renamed over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself
    finally:
        os.close(directory)


def read(path: Path) -> dict:
    try:
        with open(path, "rb") as file:
            state = pickle.load(file)
    except Exception as exc:
        raise UnreadableState(f"{path}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise UnreadableState(f"{path}: format {found!r}, this version reads {FORMAT}")
    if state.get("moto") != _moto_version():  # its objects may lack what the new moto expects
        raise UnreadableState(f"{path}: saved by moto {state.get('moto')}, this is moto {_moto_version()}")
    return state


def _moto_version() -> str:
    import moto
    return moto.__version__


def move_aside(path: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    os.replace(path, aside)
    return aside


class Every:
    """A chore that does `work()` at most once every `seconds` (the first call does it)."""

    def __init__(self, seconds: float, work: Callable[[], int], *, monotonic: Callable[[], float] = time.monotonic):
        self.seconds, self.work, self._now = seconds, work, monotonic
        self._last: float | None = None

    def __call__(self) -> int:
        now = self._now()
        if self._last is not None and now - self._last < self.seconds:
            return 0
        self._last = now
        return self.work()

    def __repr__(self) -> str:
        return f"Every({self.seconds}, {getattr(self.work, '__qualname__', self.work)})"


class StateKeeper:
    """Loads moto's state at start, saves it when it changed (every SAVE_EVERY_SECONDS) and at stop, and drops
    stream records the event runner is done with. Without a folder it only does the last."""

    def __init__(self, server, folder: Path | None, *, every_seconds: float = SAVE_EVERY_SECONDS) -> None:
        self.server, self.folder, self.every_seconds = server, folder, every_seconds
        self.path = folder / STATE_FILE if folder is not None else None
        self.env: dict[str, str] = {}
        self.meta: dict[str, Any] = {}
        self.checkpoints = lambda: {}  # set to the event runner's stream_checkpoints once it runs
        # Upkeep done with moto at rest before each save: callables returning how many things they changed
        # (the runtime adds the TTL sweep and the outbox's spill).
        self.chores: list[Callable[[], int]] = []
        self._saved_changes = -1
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def load(self, source: Path | None = None) -> dict | None:
        """Into moto (before anything else uses it), from this keeper's folder or another `source` folder (a
        saved state to start from, left as it is). None if there is nothing to load, or the keeper's own state
        was unreadable (then moved aside, and said so in the log); an unreadable `source` raises."""
        path = source / STATE_FILE if source is not None else self.path
        if path is None or (source is None and not path.exists()):
            return None
        try:
            state = read(path)
        except UnreadableState as exc:
            if source is not None:
                raise
            aside = move_aside(path)
            log.error("the saved local state could not be read (%s); moved to %s, starting afresh", exc, aside)
            return None
        with self.server.gate.closed():
            install(state["backends"])
        self.env, self.meta = state["env"], state["meta"]
        self._saved_changes = self.server.gate.changes
        log.info("local state loaded from %s (saved %s)", path, state["saved_at"])
        return state

    def start(self) -> "StateKeeper":
        self._thread = threading.Thread(target=self._run, name="local-state", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopping.wait(self.every_seconds):
            try:
                self.save_if_changed()
            except Exception:
                log.exception("saving the local state failed; trying again in %ss", self.every_seconds)

    def save_if_changed(self) -> bool:
        with self._lock:
            with self.server.gate.closed():
                drop_delivered_stream_records(self.checkpoints())
                self._do_chores()
                changes = self.server.gate.changes
                if self.path is None or changes == self._saved_changes:
                    return False
                started = time.monotonic()
                state = {"format": FORMAT, "moto": _moto_version(), "saved_at": datetime.now(timezone.utc).isoformat(), "env": self.env,
                         "meta": self.meta, "backends": snapshot()}
                write_atomically(self.path, lambda file: _Pickler(file).dump(state))
                self._saved_changes = changes
            log.debug("local state saved to %s in %.2fs", self.path, time.monotonic() - started)
            return True

    def _do_chores(self) -> None:
        for chore in self.chores:
            try:
                if chore():
                    self.server.gate.changes += 1  # the state changed: save it
            except Exception:
                log.exception("local upkeep %s failed; trying again at the next round", chore)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None
        try:
            self.save_if_changed()
        except Exception:
            log.exception("saving the local state at stop failed")
