"""The search index in S3 and the writer's lease on moto: readers follow the manifest and never see half an
index, download only what they lack, ask S3 at most once per check interval, old files go after the grace period,
and two writers never commit at once."""
import uuid
from pathlib import Path

import boto3
import pytest

from chalicelib.adapters import search_store
from chalicelib.adapters.search_engine import Engine, Shards
from chalicelib.adapters.search_store import DynamoLease, LeaseLost, S3IndexStore, S3SearchIndex, S3SearchReader
from chalicelib.domain import search_text
from chalicelib.views.search.query import Scope, SearchRequest
from tests.unit.test_search_engine import DEC, DAY, doc

ADMIN = Scope(everything=True, internal=True)


class Clock:
    def __init__(self):
        self.now = 1_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def place(aws_stack, tmp_path):
    """A fresh prefix in the bucket and a lease of its own: tests do not see each other's index."""
    name = uuid.uuid4().hex[:8]
    return {"bucket": aws_stack["ATTACHMENTS_BUCKET"], "prefix": f"search-test/{name}/", "lease": name,
            "table": aws_stack["HELPDESK_TABLE"], "root": tmp_path}


def store(place, who: str, **options) -> S3IndexStore:
    return S3IndexStore(place["bucket"], Shards(Path(place["root"]) / who), prefix=place["prefix"], **options)


def writer(place, who: str, **options) -> S3SearchIndex:
    return S3SearchIndex(store(place, who), DynamoLease(place["table"], name=place["lease"], **options))


def found(reader: S3SearchReader, q: str) -> list[int]:
    return sorted(h.number for h in reader.search(SearchRequest(q=q), ADMIN, search_text.parse_query(q)).hits)


def test_a_reader_finds_what_the_writer_published_and_then_its_changes(place):
    index = writer(place, "writer")
    index.write([doc(1, "printer jam"), doc(2, "printer toner", created=DEC - 40 * DAY)])
    reader = S3SearchReader(store(place, "reader", check_every=0))
    assert found(reader, "printer") == [1, 2]
    index.write([doc(1, "scanner jam")])
    assert found(reader, "printer") == [2] and found(reader, "scanner") == [1]


def test_a_warm_reader_asks_s3_once_per_interval_and_only_for_the_manifest(place):
    writer(place, "writer").write([doc(n, "router reboot", created=DEC - (n % 4) * 31 * DAY) for n in range(1, 40)])
    clock = Clock()
    reader_store = store(place, "reader", check_every=2.0, clock=clock)
    reader = S3SearchReader(reader_store)
    assert len(found(reader, "router")) == 25
    cold = reader_store.calls
    assert cold > 1  # the manifest, then every file of every shard
    for _ in range(50):
        found(reader, "router")
    assert reader_store.calls == cold  # within the interval: no call at all
    clock.now += 2.5
    found(reader, "router")
    assert reader_store.calls == cold + 1  # one conditional GET, answered "not modified"


def test_a_reader_downloads_only_the_files_it_lacks(place):
    index = writer(place, "writer")
    index.write([doc(1, "alpha", created=DEC - 40 * DAY), doc(2, "beta")])
    reader_store = store(place, "reader", check_every=0)
    reader = S3SearchReader(reader_store)
    found(reader, "alpha")
    before = reader_store.calls
    index.write([doc(3, "gamma")])  # only this month's shard changes
    assert found(reader, "gamma") == [3]
    old_shard = reader_store.manifest["shards"]
    fetched = reader_store.calls - before
    newest = sorted(old_shard)[-1]
    assert fetched <= 1 + 1 + len(old_shard[newest]["files"])  # manifest, meta, the changed shard's new files


def test_the_manifest_is_written_last_so_a_failed_publish_shows_nothing(place, monkeypatch):
    index = writer(place, "writer")
    index.write([doc(1, "first")])
    reader = S3SearchReader(store(place, "reader", check_every=0))
    assert found(reader, "first") == [1]
    real = search_store.client

    class ManifestRefused:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def put_object(self, **kwargs):
            if kwargs["Key"].endswith("manifest.json"):
                raise RuntimeError("S3 is down")
            return self.inner.put_object(**kwargs)

    monkeypatch.setattr(search_store, "client", lambda service: ManifestRefused(real(service)) if service == "s3"
                        else real(service))
    with pytest.raises(RuntimeError):
        index.write([doc(2, "second")])  # segment files and meta uploaded, the manifest not
    monkeypatch.undo()
    assert found(reader, "first") == [1] and found(reader, "second") == []  # the old generation, whole
    index.write([doc(3, "third")])  # the next write starts from what S3 holds, then adds
    assert found(reader, "third") == [3] and found(reader, "first") == [1]


def test_retired_files_are_deleted_only_after_the_grace_period(place, monkeypatch):
    wall = Clock()
    wall.now = 1_800_000_000
    index = S3SearchIndex(store(place, "writer", wall=wall), DynamoLease(place["table"], name=place["lease"]))
    index.write([doc(1, "one")])
    first = dict(index.store.manifest["shards"])
    shard = next(iter(first))
    old_files = [f"{place['prefix']}{shard}/{name}" for name in first[shard]["files"]]
    index.write([doc(1, "one changed")])
    s3 = boto3.client("s3")

    def exists(key):
        return s3.list_objects_v2(Bucket=place["bucket"], Prefix=key)["KeyCount"] > 0

    retired = [r["key"] for r in index.store.manifest["retired"]]
    assert retired and all(exists(k) for k in retired)  # readers of the last generation still find them
    wall.now += search_store.GRACE_SECONDS + 1
    index.write([doc(2, "two")])
    assert not any(exists(k) for k in retired)
    assert all(exists(f"{place['prefix']}{shard}/{name}") for name in index.store.manifest["shards"][shard]["files"])


def test_two_writers_racing_for_the_lease_never_commit_at_once(place):
    first, second = writer(place, "one"), writer(place, "two")
    first.lease.acquire()  # the first writer is in the middle of a commit
    with pytest.raises(LeaseLost):
        second.write([doc(2, "second writer")])
    first.store.publish(first.store.shards.replace([doc(1, "first writer")]), first.lease)
    first.lease.release()
    second.write([doc(2, "second writer")])  # now free: it starts from the first writer's generation
    reader = S3SearchReader(store(place, "reader", check_every=0))
    assert found(reader, "writer") == [1, 2]


def test_a_writer_whose_lease_expired_cannot_publish(place):
    clock = Clock()
    clock.now = 1_800_000_000
    slow = writer(place, "slow", seconds=30, clock=clock)
    fast = writer(place, "fast", seconds=30, clock=clock)
    slow.lease.acquire()
    changed = slow.store.shards.replace([doc(1, "slow writer")])
    clock.now += 31  # the slow writer stalled past its lease; another takes over
    fast.write([doc(2, "fast writer")])
    with pytest.raises(LeaseLost):
        slow.store.publish(changed, slow.lease)
    reader = S3SearchReader(store(place, "reader", check_every=0))
    assert found(reader, "writer") == [2]


def test_writers_racing_in_parallel_lose_nothing(place):
    """Four writers (deploys overlapping, the rebuild) each commit their tickets at the same moment; a writer
    refused the lease tries again, as its batch would come back. Every ticket ends up in the index."""
    import threading
    import time as clock

    writers = [writer(place, f"w{i}") for i in range(4)]
    refused = []

    def run(i, index):
        for attempt in range(200):
            try:
                index.write([doc(100 + i, f"raced ticket {i}")])
                return
            except LeaseLost:
                refused.append(i)
                clock.sleep(0.05)

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reader = S3SearchReader(store(place, "reader", check_every=0))
    assert found(reader, "raced") == [100, 101, 102, 103]
    assert reader.store.manifest["generation"] == 4  # four commits, one after the other
