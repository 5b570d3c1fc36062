"""Where the search index lives: files in S3 written by one writer, cached by readers in /tmp.

S3 layout (prefix `search/`):
  manifest.json                    the index as readers should see it: per shard its meta file and segment files
  <shard>/meta-<generation>-<id>.json  tantivy's meta.json of that shard as committed in that generation
  <shard>/<segment id>.<ext>       tantivy segment files: immutable, named once, never overwritten

The writer uploads new segment files and the new meta first and the manifest last, so a reader following the
manifest never sees half an index. Files a manifest stops naming are listed as retired and deleted only after a
grace period (readers still downloading the previous generation find them). Readers fetch the manifest with a
conditional GET (If-None-Match) at most every `check_every` seconds and download only the files they lack,
newest shard first.

The lease (an item in the table, conditional put with expiry) makes sure two writers (a deploy's old and new
indexer, the rebuild command) never commit at once: the manifest is written only while the lease is held.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.adapters.search_engine import Engine, Shards
from chalicelib.observability import logger
from chalicelib.views.search.ports import SearchIndex, SearchReader

MANIFEST_VERSION = 1
GRACE_SECONDS = 600       # a retired file is deleted this long after the manifest stopped naming it
DOWNLOADERS = 8


class LeaseLost(Exception):
    """Another writer holds the index lease: nothing was committed (the batch comes back later)."""


class DynamoLease:
    """`SEARCH#<name> / LEASE`: holder and expiry (epoch seconds). Taken with a conditional put when free,
    expired or already ours; checked (and extended) right before the manifest is written."""

    def __init__(self, table: str, *, seconds: int = 120, holder: str | None = None, clock=time.time,
                 name: str = "writer"):
        self.table, self.seconds, self.clock, self.name = table, seconds, clock, name
        self.holder = holder or f"{os.environ.get('AWS_LAMBDA_LOG_STREAM_NAME', 'local')}/{uuid.uuid4().hex}"

    def _key(self) -> dict:
        return {"pk": {"S": f"SEARCH#{self.name}"}, "sk": {"S": "LEASE"}}

    def acquire(self) -> None:
        now = int(self.clock())
        try:
            client("dynamodb").put_item(
                TableName=self.table,
                Item={**self._key(), "holder": {"S": self.holder}, "expires_at": {"N": str(now + self.seconds)}},
                ConditionExpression="attribute_not_exists(pk) OR expires_at < :now OR holder = :me",
                ExpressionAttributeValues={":now": {"N": str(now)}, ":me": {"S": self.holder}})
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise LeaseLost("another writer holds the search index lease") from exc
            raise

    def hold(self) -> None:
        """Still ours and not expired (extended by its length), or LeaseLost."""
        now = int(self.clock())
        try:
            client("dynamodb").update_item(
                TableName=self.table, Key=self._key(), UpdateExpression="SET expires_at = :until",
                ConditionExpression="holder = :me AND expires_at >= :now",
                ExpressionAttributeValues={":now": {"N": str(now)}, ":me": {"S": self.holder},
                                           ":until": {"N": str(now + self.seconds)}})
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise LeaseLost("the search index lease was taken over") from exc
            raise

    def release(self) -> None:
        try:
            client("dynamodb").delete_item(TableName=self.table, Key=self._key(), ConditionExpression="holder = :me",
                                           ExpressionAttributeValues={":me": {"S": self.holder}})
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise


def _segment_files(directory: Path) -> list[str]:
    """The files tantivy's meta.json of a shard directory needs: every file of its segments."""
    meta = json.loads((directory / "meta.json").read_text())
    segments = {s["segment_id"].replace("-", ""): s for s in meta.get("segments", [])}

    def needed(name: str) -> bool:
        segment = segments.get(name.split(".", 1)[0])
        if segment is None or name.startswith("."):
            return False
        if name.endswith(".del"):  # only the delete bitset of the committed opstamp
            deletes = segment.get("deletes") or {}
            return name == f"{name.split('.', 1)[0]}.{deletes.get('opstamp')}.del"
        return True

    return sorted(p.name for p in directory.iterdir() if needed(p.name))


class S3IndexStore:
    """Keeps a `Shards` directory in step with the index in S3 (reader side) and publishes it (writer side)."""

    def __init__(self, bucket: str, shards: Shards, *, prefix: str = "search/", check_every: float = 2.0,
                 clock=time.monotonic, wall=time.time):
        self.bucket, self.shards, self.prefix = bucket, shards, prefix
        self.check_every, self.clock, self.wall = check_every, clock, wall
        self.manifest: dict = {"version": MANIFEST_VERSION, "generation": 0, "shards": {}, "retired": []}
        self._etag: str | None = None
        self._checked: float | None = None
        self._have: dict[str, str] = {}  # shard -> meta key of what is on local disk
        self._lock = threading.Lock()
        self.calls = 0  # AWS calls made (the benchmark's search_aws_calls)

    # --- reader ---------------------------------------------------------------------------------------------
    def refresh(self, *, force: bool = False) -> bool:
        """Follow the manifest if it changed (at most one GET every `check_every` seconds unless forced);
        True if the local shards changed."""
        with self._lock:
            now = self.clock()
            if not force and self._checked is not None and now - self._checked < self.check_every:
                return False
            self._checked = now
            kwargs = {"IfNoneMatch": self._etag} if self._etag else {}
            try:
                self.calls += 1
                got = client("s3").get_object(Bucket=self.bucket, Key=self.prefix + "manifest.json", **kwargs)
            except ClientError as exc:
                code = exc.response["Error"]["Code"]
                if code in ("304", "NotModified"):
                    return False
                if code in ("NoSuchKey", "404"):  # no index yet: nothing left over from another one either
                    for shard in self.shards.names():
                        self.shards.drop(shard)
                    self._have.clear()
                    return False
                raise
            self.manifest, self._etag = json.loads(got["Body"].read()), got.get("ETag")
            return self._sync()

    def _sync(self) -> bool:
        wanted = self.manifest.get("shards", {})
        changed = False
        for shard in sorted(wanted, reverse=True):  # newest first: the first answers need them
            entry = wanted[shard]
            if self._have.get(shard) == entry["meta"] and (self.shards.path(shard) / "meta.json").exists():
                continue
            self._download(shard, entry)
            changed = True
        for shard in set(self.shards.names()) - set(wanted):
            self.shards.drop(shard)
            self._have.pop(shard, None)
            changed = True
        return changed

    def _get(self, key: str, target: Path) -> None:
        self.calls += 1
        partial = target.with_name(f".{target.name}.part")
        client("s3").download_file(self.bucket, key, str(partial))
        partial.replace(target)

    def _download(self, shard: str, entry: dict) -> None:
        directory = self.shards.path(shard)
        directory.mkdir(parents=True, exist_ok=True)
        present = {p.name for p in directory.iterdir()}
        missing = [name for name in entry["files"] if name not in present]
        base = f"{self.prefix}{shard}/"
        with ThreadPoolExecutor(DOWNLOADERS) as pool:
            list(pool.map(lambda name: self._get(base + name, directory / name), missing))
        self._get(entry["meta"], directory / "meta.json")  # last: the shard switches only when all is there
        keep = set(entry["files"]) | {"meta.json"}
        for p in directory.iterdir():
            if not p.name.startswith(".") and p.name not in keep:
                p.unlink(missing_ok=True)
        self.shards.reopen(shard)
        self._have[shard] = entry["meta"]

    # --- writer ---------------------------------------------------------------------------------------------
    def forget(self, shards: set[str]) -> None:
        """Local shards changed by a write that may not be published: the next refresh re-reads them."""
        for shard in shards:
            self._have.pop(shard, None)
        self._checked, self._etag = None, None

    def publish(self, changed: set[str], lease: DynamoLease) -> None:
        """Segment files first, then each shard's meta, the manifest last (under the lease); then the files
        retired more than GRACE_SECONDS ago are deleted."""
        s3 = client("s3")
        generation = int(self.manifest.get("generation", 0)) + 1
        shards = {k: dict(v) for k, v in self.manifest.get("shards", {}).items()}
        retired = list(self.manifest.get("retired", []))
        now = int(self.wall())
        for shard in sorted(changed):
            directory = self.shards.path(shard)
            files = _segment_files(directory)
            before = shards.get(shard, {"files": [], "meta": None})
            base = f"{self.prefix}{shard}/"
            new = [name for name in files if name not in set(before["files"])]
            with ThreadPoolExecutor(DOWNLOADERS) as pool:
                list(pool.map(lambda name: s3.upload_file(str(directory / name), self.bucket, base + name), new))
            # Unique per write: a writer that lost the lease mid-publish must not overwrite the winner's meta.
            meta_key = f"{base}meta-{generation}-{uuid.uuid4().hex[:12]}.json"
            s3.put_object(Bucket=self.bucket, Key=meta_key, Body=(directory / "meta.json").read_bytes(),
                          ContentType="application/json")
            retired += [{"key": base + name, "at": now} for name in before["files"] if name not in set(files)]
            if before["meta"]:
                retired.append({"key": before["meta"], "at": now})
            shards[shard] = {"meta": meta_key, "files": files}
        expired = [r for r in retired if now - r["at"] >= GRACE_SECONDS]
        manifest = {"version": MANIFEST_VERSION, "generation": generation, "shards": shards,
                    "retired": [r for r in retired if now - r["at"] < GRACE_SECONDS]}
        lease.hold()
        body = json.dumps(manifest, sort_keys=True).encode()
        answer = s3.put_object(Bucket=self.bucket, Key=self.prefix + "manifest.json", Body=body,
                               ContentType="application/json", CacheControl="no-cache")
        self.manifest, self._etag = manifest, answer.get("ETag")
        for shard in changed:
            self._have[shard] = shards[shard]["meta"]
        for start in range(0, len(expired), 1000):
            s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": r["key"]} for r in
                                                                      expired[start:start + 1000]], "Quiet": True})
        logger.info("search index published", extra={"generation": generation, "shards": sorted(changed),
                                                      "deleted": len(expired)})


class S3SearchIndex(SearchIndex):
    """The indexer's port: replace documents and publish, under the lease."""

    def __init__(self, store: S3IndexStore, lease: DynamoLease):
        self.store, self.lease = store, lease

    def write(self, documents, removed=()) -> None:
        if not documents and not removed:
            return
        self.lease.acquire()
        try:
            self.store.refresh(force=True)  # what the last writer published, whoever it was
            changed = self.store.shards.replace(documents, list(removed))
            try:
                self.store.publish(changed, self.lease)
            except Exception:
                self.store.forget(changed)  # local shards ahead of S3: re-read them next time
                raise
        finally:
            self.lease.release()


class S3SearchReader(SearchReader):
    """The API's port: follow the manifest (at most every few seconds), then search the local shards."""

    def __init__(self, store: S3IndexStore):
        self.store = store
        self.engine = Engine(store.shards)

    def search(self, request, scope, parsed=None):
        self.store.refresh()
        return self.engine.search(request, scope, parsed)
