"""AWS calls to offer canned answers for the `::` type-ahead (issue 15), with 10 and with 1,000 answers of other
agents and departments in the table besides the agent's own 8: equal counts show that the cost follows the
agent's scopes (one Query each), not how many answers exist."""
from __future__ import annotations

import os

from bench.calls import counting_aws_calls, local_stack

SIZES = (10, 1000)
AGENT = "bench@example.com"


def _others(count: int, start: int) -> None:
    """Answers in other agents' personal scopes and another department: never the bench agent's to read."""
    from chalicelib.adapters.canned import CannedItem, CannedPointer, _item
    from chalicelib.domain.canned import CannedAnswer, Scope, ScopeKind
    from chalicelib.domain.tickets import Language

    with CannedItem.batch_write() as items, CannedPointer.batch_write() as pointers:
        for n in range(start, start + count):
            scope = (Scope(ScopeKind.PERSONAL, agent=f"other{n % 50}@example.com") if n % 2
                     else Scope(ScopeKind.DEPARTMENT, department="sales"))
            answer = CannedAnswer(id=f"other-{n}", title=f"printer {n}", bodies={Language.EN: "printer help"},
                                  scope=scope)
            items.save(_item(answer))
            pointers.save(CannedPointer(pk=f"CANNEDID#{answer.id}", sk="WHERE", scope_key=scope.key))


def canned_costs() -> dict:
    from chalicelib import bootstrap
    from chalicelib.domain.canned import parse_answer
    from chalicelib.domain.catalog import Category, Department, Group
    from chalicelib.domain.permissions import Staff
    from chalicelib.domain.tickets import Actor, AuthorKind
    from chalicelib.services import canned

    results = {}
    with local_stack():
        os.environ["CATALOG_CACHE_SECONDS"] = "600"  # steady state: the catalog cache is warm
        bootstrap.reset()
        names = {"en": "Support"}
        for department in ("support", "sales"):
            bootstrap.catalog().save(Department(id=department, names=names, categories=(Category("technical", names),),
                                                groups=(Group("desk", names, members=(AGENT,)),)
                                                if department == "support" else ()))
        staff = Staff(Actor(AuthorKind.AGENT, AGENT, "Bench"), admin=True)  # admins may save in every scope
        departments = {d.id: d for d in bootstrap.catalog().departments()}
        scopes = [{"kind": "personal"}, {"kind": "everyone"}, {"kind": "department", "department": "support"},
                  {"kind": "group", "department": "support", "group": "desk"}]
        for index, scope in enumerate(scopes * 2):
            bootstrap.canned_answers().create(parse_answer(
                {"title": f"printer {index}", "bodies": {"en": "Restart the printer, {{customer.name}}"},
                 "scope": scope}, staff=staff, departments=departments, answer_id=f"mine-{index}"))
        agent = Staff(staff.actor)  # the same agent, not as admin: their own scopes only
        written = 0
        for size in SIZES:
            _others(size - written, written)
            written = size
            def offer():
                return canned.offered(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(),
                                      tickets=bootstrap.tickets(), staff=agent, query="print")
            offer()  # warm
            with counting_aws_calls() as calls:
                found = offer()
            assert len(found) == 8, len(found)
            results[f"aws_calls_canned_offer_{size}"] = {
                "value": sum(calls.values()), "unit": "calls",
                "note": f"GET /agent/canned?q= for an agent of one group: {dict(calls)}, {size} other answers"}
    return results
