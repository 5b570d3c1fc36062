"""Import tickets from another help desk: `python -m ops.import_tickets FILE [--resume] [--local | --stack NAME]`.

FILE holds one ticket per line as JSON (docs/import.md; converters for Zendesk and osTicket exports in
ops/import_formats/). Each ticket is written through the same rules and the same transaction as a live one,
with its claim on (source, external_id): a ticket already imported is skipped, so running a file twice, or
resuming it, never imports anything twice. A bad line is reported (line number and fields) and skipped.

Progress (count, rate, ETA) goes to stderr. Ctrl-C stops after the ticket being written; the checkpoint
beside the file (FILE.import-state.json) records how far it got and `--resume` starts after it (the claims
in the table stay the ground truth: a line written just before the stop is skipped, not imported again).

Exit status: 0 all lines imported or skipped, 1 some lines were bad, 2 the file or the stack could not be
used, 130 stopped by Ctrl-C.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from ops import stack as stacks

CHECKPOINT_EVERY_S = 2.0
PROGRESS_EVERY_S = 1.0


@dataclass
class Counts:
    imported: int = 0
    skipped: int = 0
    bad: int = 0
    refused_files: int = 0

    @property
    def done(self) -> int:
        return self.imported + self.skipped + self.bad


def checkpoint_path(path: Path) -> Path:
    return path.with_name(path.name + ".import-state.json")


def _fingerprint(path: Path) -> dict:
    stat = path.stat()
    return {"file": path.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def read_checkpoint(path: Path) -> dict | None:
    try:
        state = json.loads(checkpoint_path(path).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return state if state.get("fingerprint") == _fingerprint(path) else None


def write_checkpoint(path: Path, line: int, counts: Counts) -> None:
    """Atomically (write beside, then rename): a stop in the middle leaves the previous checkpoint whole."""
    target = checkpoint_path(path)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(json.dumps({"fingerprint": _fingerprint(path), "line": line, "counts": asdict(counts)}))
    os.replace(temporary, target)


class Progress:
    def __init__(self, out: TextIO, total: int, start_line: int):
        self.out, self.total, self.start_line = out, total, start_line
        self.started = time.monotonic()
        self.shown = 0.0

    def show(self, line: int, counts: Counts, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.shown < PROGRESS_EVERY_S:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = (line - self.start_line) / elapsed
        left = self.total - line
        eta = f"{_duration(left / rate)}" if rate > 0 and left > 0 else "-"
        share = 100.0 * line / self.total if self.total else 100.0
        self.out.write(f"{line}/{self.total} lines ({share:.1f}%)  imported {counts.imported}  "
                       f"skipped {counts.skipped}  bad {counts.bad}  {rate:.1f} lines/s  ETA {eta}\n")
        self.out.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def run(path: Path, *, resume: bool = False, err: TextIO = sys.stderr, clock=None, files_root: Path | None = None,
        allow_private_urls: bool = False) -> tuple[Counts, bool]:
    """Import the file into the stack the process's settings name. Returns the counts and whether it ran to
    the end (False: stopped by Ctrl-C, checkpoint written). Files: paths under `files_root` (default: the
    file's folder), URLs of public hosts unless `allow_private_urls` (ops/files.py)."""
    from chalicelib import bootstrap
    from chalicelib.errors import Invalid
    from chalicelib.services.imports import ImportSettings, Result, import_ticket
    from ops.files import PathOrUrlSource

    state = read_checkpoint(path) if resume else None
    if resume and state is None and checkpoint_path(path).exists():
        err.write("the checkpoint is from another version of the file: starting from line 1 "
                  "(tickets already imported are skipped)\n")
    start_line = state["line"] if state else 0
    counts = Counts(**state["counts"]) if state else Counts()
    total = _count_lines(path)
    progress = Progress(err, total, start_line)
    ports = {"tickets": bootstrap.tickets(), "files": bootstrap.files(), "secrets": bootstrap.secrets(),
             "clock": clock or bootstrap.clock(), "limits": bootstrap.limits(),
             "source": PathOrUrlSource(files_root or path.parent, allow_private=allow_private_urls)}
    settings = ImportSettings.read(bootstrap.catalog())
    if start_line:
        err.write(f"resuming after line {start_line}\n")
    line_number, saved_at = start_line, time.monotonic()
    try:
        with path.open(encoding="utf-8-sig", errors="strict") as handle:
            for line_number, line in enumerate(handle, start=1):
                if line_number <= start_line:
                    continue
                if not line.strip():
                    continue  # blank lines are nothing to import
                try:
                    doc = json.loads(line)
                    outcome = import_ticket(doc, settings=settings, **ports)
                except json.JSONDecodeError as exc:
                    counts.bad += 1
                    err.write(f"line {line_number}: not JSON ({exc.msg} at column {exc.colno})\n")
                except Invalid as exc:
                    counts.bad += 1
                    fields = ", ".join(f"{field}: {code}" for field, code in exc.fields.items()) or exc.message
                    err.write(f"line {line_number}{_named(doc)}: {fields}\n")
                else:
                    if outcome.result == Result.IMPORTED:
                        counts.imported += 1
                    else:
                        counts.skipped += 1
                    for refused in outcome.refused_files:
                        counts.refused_files += 1
                        err.write(f"line {line_number}{_named(doc)} -> #{outcome.number}: file {refused.filename!r} "
                                  f"of messages.{refused.message} not imported: {refused.reason}\n")
                if time.monotonic() - saved_at >= CHECKPOINT_EVERY_S:
                    write_checkpoint(path, line_number, counts)
                    saved_at = time.monotonic()
                progress.show(line_number, counts)
    except KeyboardInterrupt:
        # The line being imported either committed (its claim is in the table) or wrote nothing: the
        # checkpoint names the line before it, and a resume finds its claim if it committed.
        write_checkpoint(path, max(line_number - 1, start_line), counts)
        progress.show(max(line_number - 1, start_line), counts, final=True)
        err.write(f"stopped: resume with  python -m ops.import_tickets {path} --resume\n")
        return counts, False
    write_checkpoint(path, line_number, counts)
    progress.show(line_number, counts, final=True)
    return counts, True


def _named(doc) -> str:
    if isinstance(doc, dict) and doc.get("source") and doc.get("external_id"):
        return f" ({doc['source']} {doc['external_id']})"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.import_tickets", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="tickets as JSON lines (docs/import.md)")
    parser.add_argument("--resume", action="store_true", help="start after the line the last run got to")
    parser.add_argument("--files-root", type=Path, help="attachment paths must lie under it (default: FILE's folder)")
    parser.add_argument("--allow-private-urls", action="store_true",
                        help="fetch attachment URLs of loopback, private and link-local hosts too (intranet)")
    stacks.add_arguments(parser)
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    try:
        where = stacks.use(args)
    except Exception as exc:  # no such stack, no credentials, local stack not running
        print(f"cannot reach the stack: {exc}", file=sys.stderr)
        return 2
    print(f"importing {args.file} into {where}", file=sys.stderr)
    try:
        counts, finished = run(args.file, resume=args.resume, files_root=args.files_root,
                               allow_private_urls=args.allow_private_urls)
    except UnicodeDecodeError as exc:
        print(f"{args.file}: not UTF-8 ({exc.reason} at byte {exc.start} of a line)", file=sys.stderr)
        return 2
    print(json.dumps({**asdict(counts), "finished": finished}), file=sys.stderr)
    if not finished:
        return 130
    return 1 if counts.bad else 0


if __name__ == "__main__":
    sys.exit(main())
