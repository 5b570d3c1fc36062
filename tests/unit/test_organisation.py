"""What an admin may save as departments, routing rules and policies; every problem named by its field,
and nothing written unless everything is right."""
import pytest

from chalicelib.domain.policies import Policies
from chalicelib.domain.routing import RoutingRule, Strategy
from chalicelib.errors import Invalid
from chalicelib.services import organisation
from tests.fakes import FakeAgents, InMemoryCatalog

NAMES = {"fa": "پشتیبانی", "he": "תמיכה", "en": "Support"}


def department_form(**overrides):
    form = {"names": NAMES, "categories": [{"id": "sign-in", "names": NAMES}],
            "groups": [{"id": "first-line", "names": NAMES, "members": ["agent.fa", "agent.he"],
                        "strategy": "fewest_open"}],
            "supervisors": ["lead"]}
    return {**form, **overrides}


def empty_catalog() -> InMemoryCatalog:
    catalog = InMemoryCatalog()
    catalog.delete("support")
    return catalog


def save(catalog, department_id="support", **overrides):
    return organisation.save_department(catalog=catalog, agents=FakeAgents(), department_id=department_id,
                                        **department_form(**overrides))


def test_an_admin_saves_a_department_with_groups_and_supervisors():
    catalog = empty_catalog()
    saved = save(catalog)
    assert catalog.departments() == [saved]
    [group] = saved.groups
    assert (group.id, group.members, group.strategy) == ("first-line", ("agent.fa", "agent.he"), Strategy.FEWEST_OPEN)
    assert saved.supervisors == ("lead",) and saved.names == NAMES


@pytest.mark.parametrize("department_id,overrides,fields", [
    ("Support", {}, {"id": "invalid"}),
    ("x" * 41, {}, {"id": "invalid"}),
    ("support", {"names": {"fa": "پشتیبانی", "en": " "}}, {"names.he": "required", "names.en": "required"}),
    ("support", {"names": {**NAMES, "fa": "x" * 101}}, {"names.fa": "too_long"}),
    ("support", {"categories": []}, {"categories": "required"}),
    ("support", {"categories": [{"id": "a", "names": NAMES}, {"id": "a", "names": NAMES}]},
     {"categories.1.id": "duplicate"}),
    ("support", {"groups": [{"id": "g 1", "names": NAMES, "members": []}]}, {"groups.0.id": "invalid"}),
    ("support", {"groups": [{"id": "g", "names": NAMES, "members": ["agent.fa", "nobody"]}]},
     {"groups.0.members.1": "unknown"}),
    ("support", {"groups": [{"id": "g", "names": NAMES, "members": [], "strategy": "lottery"}]},
     {"groups.0.strategy": "invalid"}),
    ("support", {"supervisors": ["nobody"]}, {"supervisors.0": "unknown"}),
])
def test_a_bad_department_names_every_problem_and_saves_nothing(department_id, overrides, fields):
    catalog = empty_catalog()
    with pytest.raises(Invalid) as refused:
        save(catalog, department_id, **overrides)
    assert refused.value.fields == fields
    assert catalog.departments() == []


def test_rules_must_point_at_categories_and_groups_that_exist():
    catalog = empty_catalog()
    save(catalog)
    saved = organisation.save_rules(catalog=catalog, rules=[
        {"category": "sign-in", "department": "support", "group": "first-line",
         "keywords": [" رمز  عبور ", "password", "", "password"]}])
    assert saved == [RoutingRule("sign-in", "support", "first-line", keywords=("رمز عبور", "password"))]
    assert catalog.rules() == saved

    with pytest.raises(Invalid) as refused:
        organisation.save_rules(catalog=catalog, rules=[
            {"category": "sign-in", "department": "support", "group": "first-line"},
            {"category": "cooking", "department": "kitchen", "group": "x"},
            {"category": "sign-in", "department": "support", "group": "experts", "keywords": ["k" * 61]}])
    assert refused.value.fields == {"rules.1.category": "unknown", "rules.1.department": "unknown",
                                    "rules.2.group": "unknown", "rules.2.keywords.0": "too_long"}
    assert catalog.rules() == saved


def test_policies_are_saved_whole_and_checked():
    catalog = empty_catalog()
    saved = organisation.save_policies(catalog=catalog, values={"max_open_tickets": 3, "reply_window_days": 10})
    assert catalog.policies() == saved == Policies(max_open_tickets=3, reply_window_days=10)
    with pytest.raises(Invalid) as refused:
        organisation.save_policies(catalog=catalog, values={"reminder_after_days": 9})
    assert refused.value.fields == {"reminder_after_days": "not_before_close"}
    assert catalog.policies() == saved


def test_the_organisation_lists_departments_rules_policies_and_every_agent():
    catalog = empty_catalog()
    save(catalog, "support")
    save(catalog, "billing")
    found = organisation.organisation(catalog=catalog, agents=FakeAgents({"agent.fa": "مینا", "lead": "רונית"}))
    assert [d.id for d in found.departments] == ["billing", "support"]
    assert found.agents == [("agent.fa", "مینا"), ("lead", "רונית")] and found.policies == Policies()
