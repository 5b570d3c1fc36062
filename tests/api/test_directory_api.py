"""GET /agent/org: every signed-in agent may read who works where (to assign and transfer); nobody else."""
import uuid

import pytest

from tests.api.test_ticket_api import as_agent, call



@pytest.fixture
def department_with_a_group(aws_stack):
    """A department of its own (unique id), removed afterwards so other tests see the catalog they expect."""
    from chalicelib import bootstrap
    from chalicelib.domain.catalog import Category, Department, Group
    from chalicelib.domain.routing import Strategy

    names = {"en": "Returns", "fa": "مرجوعی", "he": "החזרות"}
    department = Department(id=f"returns-{uuid.uuid4().hex[:6]}", names=names,
                            categories=(Category(id="parcel", names=names),),
                            groups=(Group(id="desk", names=names, members=("agent.fa@example.com",),
                                          strategy=Strategy.FEWEST_OPEN),),
                            supervisors=("supervisor@example.com",))
    bootstrap.catalog().save(department)
    yield department
    bootstrap.catalog().delete(department.id)


def test_any_agent_reads_departments_with_groups_members_and_supervisors(client, cognito, department_with_a_group):
    token = cognito(f"directory.{uuid.uuid4().hex[:6]}@example.com", groups=("agent",), name="نگار")

    status, body = call(client, "get", "/agent/org", headers=as_agent(token))

    assert status == 200, body
    found = next(d for d in body["departments"] if d["id"] == department_with_a_group.id)
    assert found == {"id": department_with_a_group.id, "names": department_with_a_group.names,
                     "categories": [{"id": "parcel", "names": department_with_a_group.names}],
                     "groups": [{"id": "desk", "names": department_with_a_group.names,
                                 "members": ["agent.fa@example.com"], "strategy": "fewest_open"}],
                     "supervisors": ["supervisor@example.com"]}
    assert all(set(agent) == {"id", "name"} for agent in body["agents"])
    assert set(body) == {"departments", "agents"}, "rules and policies stay with the admins"


def test_without_an_agent_token_nothing_is_told(client):
    assert call(client, "get", "/agent/org")[0] == 401
    assert call(client, "get", "/agent/org", headers={"Authorization": "Bearer not.a.token"})[0] == 401
