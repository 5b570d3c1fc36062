"""Routes for a customer holding a ticket's private key (header X-Ticket-Key)."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.http import route, ticket_number
from chalicelib.services import tickets

customer_api = Blueprint(__name__)


@route(customer_api, "/tickets/{number}", audience="customer", summary="The ticket as its customer sees it")
def view_ticket(number, key):
    view = tickets.view_as_customer(bootstrap.tickets(), ticket_number(number), key)
    return shapes.ticket_view(view, for_agent=False)


@route(customer_api, "/tickets/{number}/messages", method="POST", status=201, request=schemas.MESSAGE,
       audience="customer", summary="The customer writes back")
def reply(number, key, body):
    message = tickets.customer_reply(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(),
                                     files=bootstrap.files(), clock=bootstrap.clock(), limits=bootstrap.limits(), number=ticket_number(number), key=key,
                                     text=body["text"], attachments=body.get("attachments", []))
    return shapes.message(message)


@route(customer_api, "/tickets/{number}/attachments/{attachment_id}", audience="customer",
       summary="A short-lived download link for an attachment of a public message")
def attachment(number, attachment_id, key):
    url, expires_in = tickets.attachment_for_customer(tickets=bootstrap.tickets(), files=bootstrap.files(),
                                                      number=ticket_number(number), key=key,
                                                      attachment_id=attachment_id)
    return {"url": url, "expires_in": expires_in}
