"""What a customer reaches: their tickets by tab (signed in by email or by phone), each ticket only with its
key or their own session, replies within the reply window, and new tickets that follow an earlier one."""
from dataclasses import replace

import pytest

from chalicelib.domain.attachments import Limits
from chalicelib.domain.history import TAB_OF_STATUS, Tab, by_tab
from chalicelib.domain.policies import Policies
from chalicelib.domain.sign_in import Channel, CustomerAccess, Identity
from chalicelib.domain.tickets import ReplyWindowClosed, Status
from chalicelib.errors import Invalid, NotFound
from chalicelib.services import customers
from chalicelib.services import tickets as service
from tests.fakes import desk_of
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets, PNG

LIMITS = Limits(max_file_bytes=1000, max_message_bytes=1500, max_files=3)
MARYAM = Identity(Channel.EMAIL, "maryam@example.com")
MARYAM_PHONE = Identity(Channel.SMS, "+989123456789")


@pytest.fixture
def ports():
    return {"tickets": InMemoryTickets(), "catalog": InMemoryCatalog(), "agents": FakeAgents(), "files": FakeFiles(),
            "secrets": FakeSecrets(), "clock": FixedClock(), "limits": LIMITS}


def open_ticket(ports, email="Maryam@Example.com", phone=None, attachments=(), **extra):
    opened = fake_open_ticket(**ports, site_url="https://help.example/customer/", subject="چاپگر",
                                 department="support", category="billing", priority="high", text="سلام",
                                 language="fa", customer_name="مریم", customer_email=email, customer_phone=phone,
                                 attachments=list(attachments), **{"confirmed": True, **extra})
    ports["clock"].advance(minutes=1)  # distinct creation times: "newest first" is observable
    return opened


def set_status(ports, number, status, **fields):
    repo = ports["tickets"]
    before = repo.get(number)
    repo.save(before, replace(before, status=status, version=before.version + 1, **fields), [])


def reply(ports, number, access, attachments=()):
    return service.customer_reply(desk_of(ports), number=number, access=access,
                                  text="هنوز خراب است", attachments=list(attachments))


# ---------------------------------------------------------------- tabs

def test_every_status_belongs_to_exactly_the_tab_the_contract_names():
    assert set(TAB_OF_STATUS) == set(Status)
    assert {s for s, tab in TAB_OF_STATUS.items() if tab == Tab.OPEN} == {Status.NEW, Status.OPEN, Status.ON_HOLD}
    assert {s for s, tab in TAB_OF_STATUS.items() if tab == Tab.AWAITING} == {Status.AWAITING_CUSTOMER,
                                                                              Status.NEEDS_INFO}
    assert {s for s, tab in TAB_OF_STATUS.items() if tab == Tab.CLOSED} == {Status.RESOLVED, Status.CLOSED,
                                                                            Status.ARCHIVED}


def test_an_empty_history_still_has_its_three_tabs():
    assert by_tab([]) == {Tab.OPEN: [], Tab.AWAITING: [], Tab.CLOSED: []}


def test_signed_in_by_email_a_customer_sees_their_tickets_newest_first_in_each_tab(ports):
    first, second, third, archived = (open_ticket(ports) for _ in range(4))
    open_ticket(ports, email="someone.else@example.com")
    set_status(ports, second.number, Status.AWAITING_CUSTOMER)
    set_status(ports, archived.number, Status.ARCHIVED)

    tabs = customers.history(ports["tickets"], MARYAM)
    assert {tab: [t.number for t in found] for tab, found in tabs.items()} == {
        Tab.OPEN: [third.number, first.number], Tab.AWAITING: [second.number], Tab.CLOSED: [archived.number]}


def test_signed_in_by_phone_a_customer_sees_the_tickets_filed_with_that_number(ports):
    with_phone = open_ticket(ports, phone="0912 345 6789")
    other_address = open_ticket(ports, email="work@example.com", phone="+989123456789")
    open_ticket(ports)  # same address, no phone: not reachable by the number

    tabs = customers.history(ports["tickets"], MARYAM_PHONE)
    assert [t.number for t in tabs[Tab.OPEN]] == [other_address.number, with_phone.number]


# ---------------------------------------------------------------- who opens a ticket

def test_a_session_opens_its_own_tickets_and_no_one_elses(ports):
    mine = open_ticket(ports, phone="09123456789")
    theirs = open_ticket(ports, email="dana@example.com")
    for access in (CustomerAccess(identity=MARYAM), CustomerAccess(identity=MARYAM_PHONE),
                   CustomerAccess(key=mine.access_key)):
        assert service.view_as_customer(desk_of(ports), number=mine.number, access=access).ticket.number == mine.number

    # A valid session of another customer looks exactly like a wrong key: not found.
    for access in (CustomerAccess(identity=MARYAM), CustomerAccess(identity=MARYAM_PHONE),
                   CustomerAccess(key=mine.access_key), CustomerAccess()):
        with pytest.raises(NotFound):
            service.view_as_customer(desk_of(ports), number=theirs.number, access=access)
        with pytest.raises(NotFound):
            reply(ports, theirs.number, access)


def test_a_session_downloads_only_attachments_of_its_own_tickets(ports):
    ports["files"].put_upload("a" * 32, "image/png", PNG)
    theirs = open_ticket(ports, email="dana@example.com", attachments=["a" * 32])
    [attachment] = ports["tickets"].timeline(theirs.number)[1].message.attachments
    with pytest.raises(NotFound):
        service.attachment_for_customer(desk_of(ports), number=theirs.number,
                                        access=CustomerAccess(identity=MARYAM), attachment_id=attachment.id)
    dana = CustomerAccess(identity=Identity(Channel.EMAIL, "dana@example.com"))
    url, _ = service.attachment_for_customer(desk_of(ports), number=theirs.number,
                                             access=dana, attachment_id=attachment.id)
    assert attachment.key in url


# ---------------------------------------------------------------- the reply window

def closed_ticket(ports):
    opened = open_ticket(ports)
    set_status(ports, opened.number, Status.CLOSED, closed_at=ports["clock"].now())
    return opened


def test_a_reply_exactly_at_the_end_of_the_window_reopens_the_ticket(ports):
    opened = closed_ticket(ports)
    ports["clock"].advance(days=7)
    access = CustomerAccess(identity=MARYAM)
    assert customers.reply_window_open(catalog=ports["catalog"], clock=ports["clock"],
                                       ticket=ports["tickets"].get(opened.number))
    reply(ports, opened.number, access)
    assert ports["tickets"].get(opened.number).status == Status.OPEN


def test_one_second_after_the_window_the_reply_is_refused_and_nothing_is_kept(ports):
    opened = closed_ticket(ports)
    ports["clock"].advance(days=7, seconds=1)
    ports["files"].put_upload("b" * 32, "image/png", PNG)
    before = ports["tickets"].timeline(opened.number)
    with pytest.raises(ReplyWindowClosed) as refused:
        reply(ports, opened.number, CustomerAccess(key=opened.access_key), attachments=["b" * 32])
    assert refused.value.fields == {"ticket": "reply_window_closed"} and refused.value.code == "conflict"
    assert ports["tickets"].timeline(opened.number) == before
    assert ports["tickets"].get(opened.number).status == Status.CLOSED
    assert not any(key.startswith("attachments/") for key in ports["files"].objects)
    assert not customers.reply_window_open(catalog=ports["catalog"], clock=ports["clock"],
                                           ticket=ports["tickets"].get(opened.number))


def test_an_archived_ticket_takes_no_reply_even_inside_the_window(ports):
    opened = closed_ticket(ports)
    set_status(ports, opened.number, Status.ARCHIVED)
    with pytest.raises(ReplyWindowClosed):
        reply(ports, opened.number, CustomerAccess(identity=MARYAM))


def test_the_window_is_the_admins_policy(ports):
    opened = closed_ticket(ports)
    ports["clock"].advance(days=3)
    ports["catalog"].save_policies(Policies(reply_window_days=2))
    with pytest.raises(ReplyWindowClosed):
        reply(ports, opened.number, CustomerAccess(identity=MARYAM))
    ports["catalog"].save_policies(Policies(reply_window_days=3))
    reply(ports, opened.number, CustomerAccess(identity=MARYAM))


def test_tickets_that_are_not_closed_always_take_a_reply(ports):
    opened = open_ticket(ports)
    set_status(ports, opened.number, Status.RESOLVED)
    ports["clock"].advance(days=365)
    assert customers.reply_window_open(catalog=ports["catalog"], clock=ports["clock"],
                                       ticket=ports["tickets"].get(opened.number))
    reply(ports, opened.number, CustomerAccess(identity=MARYAM))
    assert ports["tickets"].get(opened.number).status == Status.OPEN


# ---------------------------------------------------------------- following an earlier ticket

def test_a_new_ticket_follows_an_earlier_one_proven_by_its_key(ports):
    earlier = closed_ticket(ports)
    follow_up = open_ticket(ports, follows=earlier.number, follows_proof=CustomerAccess(key=earlier.access_key))
    assert ports["tickets"].get(follow_up.number).follows == earlier.number


def test_a_signed_in_customer_needs_no_key_to_follow_their_own_ticket(ports):
    earlier = closed_ticket(ports)
    follow_up = open_ticket(ports, follows=earlier.number, follows_proof=CustomerAccess(identity=MARYAM))
    assert ports["tickets"].get(follow_up.number).follows == earlier.number


@pytest.mark.parametrize("proof", [CustomerAccess(), CustomerAccess(key="x" * 43),
                                   CustomerAccess(identity=Identity(Channel.EMAIL, "dana@example.com"))])
def test_following_a_ticket_one_cannot_prove_is_refused_before_anything_is_numbered(ports, proof):
    earlier = closed_ticket(ports)
    counter = ports["tickets"].counter
    for number in (earlier.number, 10 ** 6):
        with pytest.raises(Invalid) as refused:
            open_ticket(ports, follows=number, follows_proof=proof)
        assert refused.value.fields == {"follows.number": "unknown"}
    assert ports["tickets"].counter == counter
