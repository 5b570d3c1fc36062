"""The cold start (issue 13): importing app.py registers every route and handler but loads no feature's service,
engine or library until a request or event needs it. `make bench` measures the figure (cold_start_ratio); this
names what must stay out of the import, so that a new top-level import cannot quietly undo it."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ON_FIRST_USE = [
    # event handlers (an API container never runs them)
    "chalicelib.events.alerts", "chalicelib.events.inbound", "chalicelib.events.automation",
    "chalicelib.events.notifications", "chalicelib.events.publisher", "chalicelib.events.search_index",
    "chalicelib.events.uploads", "chalicelib.events.reports", "chalicelib.domain.inbound",
    # feature services and their libraries
    "chalicelib.services.canned", "chalicelib.domain.canned", "chalicelib.domain.search_text",
    "chalicelib.views.search.service", "chalicelib.domain.kb_render", "markdown_it", "nh3", "tantivy",
    "jsonschema", "aws_xray_sdk",
]


def test_importing_the_app_registers_every_route_but_loads_no_feature_until_used():
    code = ("import json, sys; import app; "
            "print(json.dumps([sorted(sys.modules), sorted(app.app.routes), sorted(app.app.handler_map)]))")
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    modules, routes, handlers = json.loads(out.stdout)
    assert [name for name in ON_FIRST_USE if name in modules] == []
    # lazily loaded, still declared: `chalice package` sees every route and event handler at import
    assert {"/agent/canned", "/agent/kb/articles", "/agent/search", "/reports/figures"} <= set(routes)
    assert {"receive_mail", "index_tickets", "sweep_sla", "aggregate_reports"} <= set(handlers)
