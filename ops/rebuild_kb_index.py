"""Rebuild the knowledge base's article index: `python -m ops.rebuild_kb_index [--local | --stack NAME]`.

Reads the published articles from the table's lists (a Query per language and visibility: no Scan), writes the
whole index under the article index's lease and publishes it to S3 (kb-index/), where every API container picks it
up within KB_INDEX_CHECK_SECONDS. Publishing keeps the index current one article at a time; this repairs an index
that missed a publication (the publication's index step failed after the table write, which is the commit point).
Exit status: 0 done, 2 the stack could not be used.
"""
from __future__ import annotations

import argparse
import sys
import time

from ops import stack as stacks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.rebuild_kb_index", description=__doc__.splitlines()[0])
    stacks.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        where = stacks.use(args)
    except Exception as exc:  # noqa: BLE001 - any reason the stack cannot be reached is said, not traced
        print(f"cannot use the stack: {exc}", file=sys.stderr)
        return 2
    from chalicelib import bootstrap
    from chalicelib.services import kb

    started = time.monotonic()
    print(f"rebuilding the article index of {where}", file=sys.stderr)
    count = kb.rebuild_index(bootstrap.knowledge_base(), bootstrap.article_search())
    print(f"{count} published versions indexed in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
