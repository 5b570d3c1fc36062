"""`make package`: a deployable SAM template of the app merged with infra/, checked by cfn-lint.

    python -m local.package --web-origin https://help.example.com [--out build/package]

resources.yaml + wiring.yaml -> build/merge-template.json -> `chalice package --merge-template` ->
build/package/sam.json (+ deployment.zip) -> cfn-lint. Exits non-zero if either step fails.
MailFrom and CustomerSiteUrl stay template parameters, given at deploy time (docs/deploy.md). The web
origin is needed now: API Gateway answers CORS preflights itself, from what Chalice wrote when it
imported app.py, so it becomes the WebOrigin parameter's default and the two cannot disagree.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
BUILD = ROOT / "build"
BIN = Path(sys.executable).parent  # chalice and cfn-lint live next to this interpreter (the venv)


def deep_merge(base: dict, extra: dict) -> dict:
    """The same rule Chalice applies: dicts merge key by key, anything else in `extra` wins."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def merge_template(web_origin: str) -> dict:
    resources = yaml.safe_load((INFRA / "resources.yaml").read_text())
    wiring = yaml.safe_load((INFRA / "wiring.yaml").read_text())
    clash = set(resources.get("Resources", {})) & {k for k, v in wiring.get("Resources", {}).items() if "Type" in v}
    if clash:  # wiring may extend Chalice's resources, never redefine infra's
        raise SystemExit(f"wiring.yaml redefines resources of resources.yaml: {sorted(clash)}")
    merged = deep_merge(resources, wiring)
    merged["Parameters"]["WebOrigin"]["Default"] = web_origin
    return merged


def package(out: Path, web_origin: str) -> Path:
    BUILD.mkdir(exist_ok=True)
    merge_file = BUILD / "merge-template.json"
    merge_file.write_text(json.dumps(merge_template(web_origin), indent=2))
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
           "WEB_ORIGIN": web_origin}
    subprocess.run([str(BIN / "chalice"), "package", "--stage", "prod", "--merge-template", str(merge_file),
                    str(out)], cwd=ROOT, env=env, check=True)
    return out / "sam.json"


def lint(template: Path) -> int:
    return subprocess.run([str(BIN / "cfn-lint"), str(template)], cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD / "package")
    parser.add_argument("--web-origin", default=os.environ.get("WEB_ORIGIN"),
                        help="where both web sites are served, e.g. https://help.example.com (or $WEB_ORIGIN)")
    args = parser.parse_args(argv)
    if not args.web_origin or not args.web_origin.startswith("https://"):
        parser.error("--web-origin (or WEB_ORIGIN) must be the https:// origin the web sites are served from")
    out = args.out.resolve()
    try:
        template = package(out, args.web_origin.rstrip("/"))
    except subprocess.CalledProcessError as exc:
        print(f"chalice package failed (exit {exc.returncode})", file=sys.stderr)
        return 1
    status = lint(template)
    if status:
        print(f"cfn-lint found problems in {template} (exit {status})", file=sys.stderr)
        return 1
    print(f"template: {template}\ncode:     {out / 'deployment.zip'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
