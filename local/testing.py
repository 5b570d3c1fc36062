"""The local stack for end-to-end tests, in its own process: `python -m local` as a subprocess, ready
when it prints `READY`. Its own process keeps the stack's environment variables and moto's
process-global state out of the test process (which may run its own moto for other tests).

    from local.testing import spawn
    stack = spawn()            # free ports, demo data; raises if not READY within the timeout
    ... drive stack.customer_url / stack.portal_url / stack.api_url ...
    stack.stop()               # SIGTERM, clean shutdown, returns the exit status (0)

Demo accounts: local.seed.AGENTS with local.seed.DEMO_PASSWORD. Mail the stack sent: local.mailbox.
"""
from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class SpawnedStack:
    process: subprocess.Popen
    api_url: str
    web_url: str
    moto_url: str
    output: collections.deque = field(default_factory=lambda: collections.deque(maxlen=5000))  # last lines

    @property
    def customer_url(self) -> str:
        return f"{self.web_url}/customer/"

    @property
    def portal_url(self) -> str:
        return f"{self.web_url}/portal/"

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                # What held the stop: every thread's stack (local/__main__.py registers SIGUSR1 for it),
                # shown with the last lines in the failing test's captured output.
                self.process.send_signal(signal.SIGUSR1)
                time.sleep(2)
                self.process.kill()  # only this child, which we started
                self.process.wait()
                print(f"the stack did not stop within {timeout}s; its last lines:", *list(self.output)[-200:],
                      sep="\n", file=sys.stderr)
        return self.process.returncode


def spawn(api_port: int | None = None, web_port: int | None = None, moto_port: int | None = None,
          seed: bool = True, timeout: float = 120.0, state_dir: Path | None = None,
          start_from: Path | None = None) -> SpawnedStack:
    """A fresh stack whose state lives in memory only; with `state_dir`, kept there (and loaded if saved);
    with `start_from`, loaded from the state another stack saved there (see `seeded_state`)."""
    api_port, web_port, moto_port = api_port or free_port(), web_port or free_port(), moto_port or free_port()
    env = {**os.environ, "API_PORT": str(api_port), "WEB_PORT": str(web_port), "MOTO_PORT": str(moto_port),
           "PYTHONUNBUFFERED": "1"}
    # --stop-with-parent: if this test process dies without stop(), the stack does not linger on the ports.
    command = [sys.executable, "-m", "local", "--stop-with-parent"] + ([] if seed else ["--no-seed"])
    command += ["--state", str(state_dir)] if state_dir is not None else ["--no-state"]
    command += ["--state-from", str(start_from)] if start_from is not None else []
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, encoding="utf-8", errors="replace")
    stack = SpawnedStack(process, api_url=f"http://{HOST}:{api_port}", web_url=f"http://{HOST}:{web_port}",
                         moto_url=f"http://{HOST}:{moto_port}")
    ready = threading.Event()

    def read_output() -> None:
        # Read to the end even after READY: a full pipe would block the stack's logging.
        for line in process.stdout:
            stack.output.append(line.rstrip("\n"))
            if line.strip() == "READY":
                ready.set()

    threading.Thread(target=read_output, name="local-stack-output", daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:  # exited, or hangs
            stack.stop()
            raise RuntimeError("the local stack did not start:\n" + "\n".join(list(stack.output)[-40:]))
    return stack


def seeded_state(folder: Path, timeout: float = 240.0) -> Path:
    """Start a stack with its demo data in `folder`, wait until its events are handled, stop it (which saves):
    stacks spawned with `start_from=folder` then start in seconds, without provisioning and seeding again."""
    stack = spawn(state_dir=folder, timeout=timeout)
    status = stack.stop()
    if status != 0:
        raise RuntimeError(f"the stack that seeds the shared state stopped with {status}:\n"
                           + "\n".join(list(stack.output)[-50:]))
    return folder
