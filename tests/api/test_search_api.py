"""GET /agent/search and GET /customer/search through the API (chalice test client, moto): the reply's shape,
who finds what (the rule of opening a ticket), internal notes never reaching a customer, filters, pages and
bad queries answered 400 naming the field. Tickets are indexed by the real indexer."""
import uuid
from datetime import datetime, timezone

import pytest

from tests.api.test_ticket_api import as_agent, call, open_ticket



def index(*numbers):
    from chalicelib import bootstrap
    from chalicelib.views.search import indexer
    indexer.reindex(numbers, tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), index=bootstrap.search_index())


class Desk:
    """A department of this module's own with one agent, another department with another agent, an admin and a
    customer with a session; tickets indexed as the indexer would."""

    def __init__(self, client, cognito):
        from chalicelib import bootstrap
        from chalicelib.domain import sessions
        from chalicelib.domain.sign_in import Channel, Identity

        run = uuid.uuid4().hex[:6]
        self.run = run
        self.word = f"zq{run}"  # in every ticket of this module, in no other
        users = {kind: f"search.{kind}.{run}@example.com" for kind in ("agent", "stranger", "admin")}
        self.users = users
        self.tokens = {k: cognito(u, groups=("agent", "admin") if k == "admin" else ("agent",)) for k, u in users.items()}
        self.desk, self.elsewhere = f"search-desk-{run}", f"search-other-{run}"
        names = {"en": "Front desk", "fa": "پذیرش", "he": "קבלה"}
        for department, member in ((self.desk, "agent"), (self.elsewhere, "stranger")):
            status, saved = call(client, "put", f"/admin/departments/{department}", {
                "names": names, "categories": [{"id": "paper", "names": names}],
                "groups": [{"id": "team", "names": names, "members": [users[member]]}], "supervisors": []},
                headers=as_agent(self.tokens["admin"]))
            assert status == 200, saved
        self.customer = f"search.customer.{run}@example.com"
        form = {"department": self.desk, "category": "paper", "language": "fa"}
        self.mine = open_ticket(client, subject=f"چاپگر {self.word} کار نمی‌کند",
                                text=f"سلام، کتاب‌ها و چاپگر دفتر {self.word} روشن نمی‌شود.",
                                customer={"name": "مریم", "email": self.customer}, **form)["number"]
        self.theirs = open_ticket(client, subject=f"printer {self.word} jam", text=f"the {self.word} paper is stuck",
                                  customer={"name": "Dana", "email": f"search.other.{run}@example.com"},
                                  **{**form, "language": "en"})["number"]
        status, view = call(client, "get", f"/agent/tickets/{self.mine}", headers=self.agent())
        assert status == 200, view
        status, noted = call(client, "post", f"/agent/tickets/{self.mine}/notes",
                             {"text": f"secret{run} customer is a reseller", "version": view["version"]},
                             headers=self.agent())
        assert status == 201, noted
        index(self.mine, self.theirs)
        session = sessions.issue(bootstrap.secrets().link_secret(), Identity(Channel.EMAIL, self.customer),
                                 datetime.now(timezone.utc))
        self.session = {"Authorization": f"Bearer {session.token}"}

    def agent(self, kind="agent"):
        return as_agent(self.tokens[kind])


@pytest.fixture(scope="module")
def desk(client, cognito):
    return Desk(client, cognito)


def search(client, headers, path="/agent/search", **query):
    from urllib.parse import urlencode
    return call(client, "get", f"{path}?{urlencode(query)}", headers=headers)


def numbers(found):
    return sorted(r["number"] for r in found["results"])


def test_an_agent_finds_their_departments_tickets_with_snippets_total_and_no_next_page(client, desk):
    status, found = search(client, desk.agent(), q=f"{desk.word} چاپگر")
    assert status == 200, found
    assert numbers(found) == [desk.mine] and found["total"] == 1 and found["next"] is None
    [row] = found["results"]
    assert set(row) == {"number", "subject", "status", "department", "assignee", "customer", "updated_at", "snippet"}
    assert row["department"] == desk.desk and row["customer"] == "مریم" and row["status"] == "new"
    assert "<mark>" in row["snippet"]


def test_a_persian_spelling_variant_finds_the_ticket(client, desk):
    # Typed with Arabic yeh/kaf and without the ZWNJ of کتاب‌ها, the plural found by its stem.
    status, found = search(client, desk.agent(), q=f"كتاب {desk.word} ")
    assert status == 200 and desk.mine in numbers(found)


def test_an_agent_of_another_department_finds_nothing_and_an_admin_finds_all(client, desk):
    status, found = search(client, desk.agent("stranger"), q=desk.word)
    assert (status, found["results"], found["total"]) == (200, [], 0)
    status, found = search(client, desk.agent("stranger"), department=desk.desk)  # nor by listing the desk
    assert (status, found["total"]) == (200, 0)
    status, found = search(client, desk.agent("admin"), q=desk.word)
    assert numbers(found) == sorted([desk.mine, desk.theirs])


def test_internal_notes_are_found_by_agents_and_never_by_the_customer(client, desk):
    assert numbers(search(client, desk.agent(), q=f"secret{desk.run}")[1]) == [desk.mine]
    status, found = search(client, desk.session, path="/customer/search", q=f"secret{desk.run}")
    assert (status, found["total"]) == (200, 0)
    status, found = search(client, desk.session, path="/customer/search", q=desk.word)
    assert status == 200 and numbers(found) == [desk.mine]  # their own ticket, not the other customer's
    assert all(r["assignee"] is None and "reseller" not in r["snippet"] for r in found["results"])


def test_an_empty_query_with_filters_lists_the_desk_in_pages(client, desk):
    status, first = search(client, desk.agent(), department=desk.desk, sort="newest", limit="1")
    assert status == 200 and first["total"] == 2 and len(first["results"]) == 1 and first["next"]
    status, second = search(client, desk.agent(), department=desk.desk, sort="newest", limit="1",
                            cursor=first["next"])
    assert status == 200 and second["next"] is None
    assert [first["results"][0]["number"], second["results"][0]["number"]] == [desk.theirs, desk.mine]
    # Routed to the desk's one agent (round robin): on their desk, none unassigned.
    status, found = search(client, desk.agent(), q=desk.word, assignee="me", status="new,open")
    assert numbers(found) == sorted([desk.mine, desk.theirs])
    assert found["results"][0]["assignee"]["id"] == desk.users["agent"]
    assert search(client, desk.agent(), q=desk.word, assignee="unassigned")[1]["total"] == 0
    assert search(client, desk.agent(), q=desk.word, status="closed")[1]["total"] == 0


@pytest.mark.parametrize("query, field, code", [
    ({"q": '"' + "x" * 600}, "q", "too_long"),
    ({"q": "a\x07b"}, "q", "invalid_character"),
    ({"q": "the of"}, "q", "only_stop_words"),
    ({"q": "-printer"}, "q", "only_excluded"),
    ({"q": "x", "status": "sleeping"}, "status", "invalid"),
    ({"q": "x", "cursor": "!!"}, "cursor", "invalid"),
    ({"q": "x", "sort": "random"}, "sort", "invalid"),
    ({"q": "x", "created_from": "yesterday"}, "created_from", "invalid"),
    ({"q": "x", "has_attachment": "maybe"}, "has_attachment", "invalid"),
])
def test_bad_queries_are_400_naming_the_field(client, desk, query, field, code):
    status, error = search(client, desk.agent(), **query)
    assert status == 400, error
    assert error["fields"][field] == code


def test_searching_needs_credentials(client, desk):
    assert search(client, {}, q=desk.word)[0] == 401
    assert search(client, {}, path="/customer/search", q=desk.word)[0] == 401
    assert search(client, desk.agent(), path="/customer/search", q=desk.word)[0] == 401
