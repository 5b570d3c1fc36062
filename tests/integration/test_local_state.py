"""The local stack keeps its state across a restart (local/state.py): `python -m local --state DIR`."""
import os
import pickle
import re
import shutil
import time

import boto3
import pytest
import requests

from local import state
from local.mailbox import mail_to
from local.seed import DEMO_PASSWORD
from local.testing import spawn
from local.totp import sign_in

TICKET = {"subject": "Printer on fire", "department": "support", "category": "sign-in", "priority": "normal",
          "language": "en", "customer": {"name": "Dana Restart", "email": "dana.restart@example.com"},
          "text": "It is on fire again."}


def eventually(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return result


def mailed_key(mail, number: int) -> str:
    """The ticket's key from the private link in its confirmation mail (an anonymous filer gets only the number)."""
    return re.search(rf"#/t/{number}/([A-Za-z0-9_-]+)", mail.text).group(1)


def cognito(stack):
    return boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=stack.moto_url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def pool_users(stack) -> set[str]:
    [pool] = cognito(stack).list_user_pools(MaxResults=10)["UserPools"]
    return {attribute["Value"] for user in cognito(stack).list_users(UserPoolId=pool["Id"])["Users"]
            for attribute in user["Attributes"] if attribute["Name"] == "email"}


def signs_in(stack, email: str, password: str) -> bool:
    [pool] = cognito(stack).list_user_pools(MaxResults=10)["UserPools"]
    [client] = cognito(stack).list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
    # Admins and supervisors answer the authenticator-code challenge: their enrollment survives the restart too.
    return bool(sign_in(cognito(stack), client["ClientId"], email, password)["AccessToken"])


def desk_with_demo_data(folder, seeded_state):
    """The state `make run` leaves in its folder after a first run: the session's seeded one (tests/conftest.py)."""
    shutil.copytree(seeded_state, folder, dirs_exist_ok=True)
    return folder


def test_a_ticket_its_mail_and_the_users_survive_a_restart(tmp_path, seeded_state):
    first = spawn(state_dir=desk_with_demo_data(tmp_path, seeded_state))
    try:
        assert "state loaded from" in "\n".join(first.output)
        opened = requests.post(f"{first.api_url}/tickets", json=TICKET, timeout=30)
        assert opened.status_code == 201, opened.text
        ticket = opened.json()
        [mail] = eventually(lambda: mail_to(first.moto_url, TICKET["customer"]["email"]), what="the confirmation mail")
        ticket["access_key"] = mailed_key(mail, ticket["number"])  # an anonymous filer gets the key by mail only
        users = pool_users(first)
    finally:
        assert first.stop() == 0
    assert (tmp_path / state.STATE_FILE).exists()

    second = spawn(state_dir=tmp_path)  # other ports: the state does not depend on them
    try:
        output = "\n".join(second.output)
        assert "state loaded from" in output and "demo tickets" in output  # not seeded again, banner kept
        # The web site moved to another port: the demo links and the uploads bucket's CORS follow it.
        assert f"{second.customer_url}#/t/" in output and f"{first.customer_url}#/t/" not in output
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=second.moto_url,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        origins = {origin for bucket in s3.list_buckets()["Buckets"] if "attachments" in bucket["Name"]
                   for rule in s3.get_bucket_cors(Bucket=bucket["Name"])["CORSRules"] for origin in rule["AllowedOrigins"]}
        assert origins == {second.web_url}
        seen = requests.get(f"{second.api_url}/tickets/{ticket['number']}",
                            headers={"X-Ticket-Key": ticket["access_key"]}, timeout=30)
        assert seen.status_code == 200, seen.text
        assert seen.json()["subject"] == TICKET["subject"]
        [mail] = mail_to(second.moto_url, TICKET["customer"]["email"])  # once: the stream is not replayed
        assert str(ticket["number"]) in mail.subject
        assert pool_users(second) == users and "admin@example.com" in users
        assert signs_in(second, "admin@example.com", DEMO_PASSWORD)
        # and it goes on: a new ticket gets the next number, and its mail goes out
        again = requests.post(f"{second.api_url}/tickets", json={**TICKET, "subject": "Still on fire"}, timeout=30)
        assert again.status_code == 201 and again.json()["number"] > ticket["number"]
        eventually(lambda: len(mail_to(second.moto_url, TICKET["customer"]["email"])) == 2, what="the second mail")
    finally:
        assert second.stop() == 0


def test_an_unreadable_state_is_moved_aside_and_the_stack_starts_afresh(tmp_path):
    (tmp_path / state.STATE_FILE).write_bytes(b"\x80\x05 half of a pickle")
    stack = spawn(state_dir=tmp_path, seed=False)  # afresh: provisioned (seeding is the same with or without)
    try:
        assert "could not be read" in "\n".join(stack.output)
        assert requests.get(f"{stack.api_url}/health", timeout=10).ok
    finally:
        stack.stop()
    [aside] = tmp_path.glob(f"{state.STATE_FILE}.unreadable-*")
    assert aside.read_bytes() == b"\x80\x05 half of a pickle"
    assert (tmp_path / state.STATE_FILE).exists()  # the fresh stack's own state


def test_a_write_cut_short_leaves_the_previous_state(tmp_path):
    path = tmp_path / "state.pickle"
    state.write_atomically(path, lambda file: pickle.dump({"n": 1}, file))

    def dies_halfway(file):
        file.write(b"\x80\x05 the start of a new state")
        raise KeyboardInterrupt  # Ctrl-C in the middle of the write

    with pytest.raises(KeyboardInterrupt):
        state.write_atomically(path, dies_halfway)
    assert pickle.loads(path.read_bytes()) == {"n": 1}
    assert os.listdir(tmp_path) == ["state.pickle"]  # no temporary file left behind


def test_a_state_of_another_format_is_not_misread(tmp_path):
    path = tmp_path / "state.pickle"
    path.write_bytes(pickle.dumps({"format": state.FORMAT + 1}))
    with pytest.raises(state.UnreadableState, match="format"):
        state.read(path)
    path.write_bytes(pickle.dumps({"format": state.FORMAT, "moto": "4.0.0"}))
    with pytest.raises(state.UnreadableState, match="moto 4.0.0"):
        state.read(path)


def test_a_stack_killed_without_warning_comes_back_with_its_last_periodic_save(tmp_path, seeded_state):
    first = spawn(state_dir=desk_with_demo_data(tmp_path, seeded_state))
    try:
        saved = tmp_path / state.STATE_FILE
        opened = requests.post(f"{first.api_url}/tickets", json=TICKET, timeout=30)
        assert opened.status_code == 201, opened.text
        [mail] = eventually(lambda: mail_to(first.moto_url, TICKET["customer"]["email"]), what="the confirmation mail")
        key = mailed_key(mail, opened.json()["number"])
        before = saved.stat().st_mtime_ns
        eventually(lambda: saved.stat().st_mtime_ns > before, timeout=state.SAVE_EVERY_SECONDS * 6,
                   what="a save after the change")
    finally:
        first.process.kill()  # no shutdown, no last save: only what was saved on the way
        first.process.wait()

    second = spawn(state_dir=tmp_path)
    try:
        seen = requests.get(f"{second.api_url}/tickets/{opened.json()['number']}", headers={"X-Ticket-Key": key},
                            timeout=30)
        assert seen.status_code == 200, seen.text
    finally:
        second.stop()


class FakeServer:
    def __init__(self) -> None:
        from local.moto_server import Gate
        self.gate = Gate()


def test_upkeep_runs_with_moto_at_rest_and_what_it_changes_is_saved(tmp_path):
    server = FakeServer()
    keeper = state.StateKeeper(server, tmp_path)
    seen = []

    def chore():
        seen.append(server.gate._closed)  # moto held still while it works
        return len(seen) == 3  # changed something at the third round only

    keeper.chores.append(chore)
    assert keeper.save_if_changed()  # the first save
    assert not keeper.save_if_changed()  # nothing changed: no save
    assert keeper.save_if_changed()  # the chore changed moto's state: saved
    assert seen == [True, True, True]


def test_a_failing_chore_does_not_stop_the_others_or_the_save(tmp_path):
    server = FakeServer()
    keeper = state.StateKeeper(server, tmp_path)
    done = []

    def fails():
        raise RuntimeError("moto hiccup")

    keeper.chores += [fails, lambda: done.append(1) or 1]
    assert keeper.save_if_changed()
    assert done == [1] and (tmp_path / state.STATE_FILE).exists()


def test_every_does_its_work_at_most_once_a_period():
    clock, done = [100.0], []
    every = state.Every(60, lambda: done.append(clock[0]) or 1, monotonic=lambda: clock[0])
    for now in (100.0, 130.0, 159.9, 160.0, 200.0, 221.0):
        clock[0] = now
        every()
    assert done == [100.0, 160.0, 221.0]


def test_the_running_stack_expires_items_and_moves_older_mail(tmp_path):
    """The runtime's upkeep: the TTL sweep and the outbox's spill, with the outbox's file beside the state (or in
    a temporary folder removed at stop)."""
    from local import runtime
    from local.moto_patches import expire_items

    server, keeper = FakeServer(), state.StateKeeper(FakeServer(), tmp_path)
    server.outbox = None
    stack = runtime.LocalStack(api_url="", web_url="", moto_url="", env={})
    runtime._keep_upkeep(stack, server, keeper, tmp_path, loaded=False)
    [sweep, spill] = keeper.chores
    assert sweep.work is expire_items and sweep.seconds == runtime.TTL_SWEEP_SECONDS
    assert spill == server.outbox.spill and server.outbox.path == tmp_path / runtime.OUTBOX_FILE

    server.outbox.path.write_text("an earlier desk's mail\n")
    runtime._keep_upkeep(stack, server, state.StateKeeper(FakeServer(), tmp_path), tmp_path, loaded=True)
    assert server.outbox.path.exists()  # loaded: its mail is this desk's
    runtime._keep_upkeep(stack, server, state.StateKeeper(FakeServer(), tmp_path), tmp_path, loaded=False)
    assert not server.outbox.path.exists()  # fresh

    runtime._keep_upkeep(stack, server, state.StateKeeper(FakeServer(), None), None, loaded=False)
    folder = server.outbox.path.parent
    assert folder.exists() and folder != tmp_path
    stack.stop()
    assert not folder.exists()
