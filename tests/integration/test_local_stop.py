"""`python -m local` stops on SIGTERM whichever of its threads the kernel hands the signal to.

A signal sent to a process goes to any thread that does not block it. The stack runs some forty threads;
when its main thread waited in signal.pause(), a SIGTERM taken by another thread left Python's handler
pending and the main thread asleep: the stop hung until it was killed (CI, stop 18). Here the signal is sent
to one of the other threads on purpose (tgkill), so the test does not depend on the kernel's choice."""
import ctypes
import os
import signal
import subprocess

import pytest

from local.testing import spawn


def send_to_a_thread_other_than_main(pid: int, signum: int) -> int:
    threads = sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid)
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "tgkill"):  # glibc 2.30 and later
        pytest.skip("this C library has no tgkill")
    assert libc.tgkill(pid, threads[-1], signum) == 0, os.strerror(ctypes.get_errno())
    return threads[-1]


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux's /proc")
def test_a_sigterm_taken_by_another_thread_stops_the_stack(seeded_state):
    stack = spawn(start_from=seeded_state)
    try:
        send_to_a_thread_other_than_main(stack.process.pid, signal.SIGTERM)
        assert stack.process.wait(timeout=20) == 0
    except subprocess.TimeoutExpired:
        pytest.fail("the stack ignored a SIGTERM that another thread than the main one received")
    finally:
        stack.stop()
    assert "stopping..." in stack.output
