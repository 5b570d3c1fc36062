"""Routes for customers: password-less sign-in, and their tickets reached with a ticket's private key
(header X-Ticket-Key) or a signed-in session (Authorization: Bearer <customer token>)."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.clients import client_network
from chalicelib.api.http import route, ticket_number
from chalicelib.domain.sign_in import CustomerAccess, Identity
from chalicelib.services import customers, tickets

customer_api = Blueprint(__name__)


@route(customer_api, "/tickets/{number}", audience="customer", response=shapes.CustomerTicket,
       summary="The ticket as its customer sees it")
def view_ticket(number, access: CustomerAccess):
    page = tickets.customer_page(bootstrap.ticket_desk(), number=ticket_number(number), access=access)
    return shapes.customer_ticket(page.view, rating_signatures=page.rating_signatures,
                                  reply_window_open=page.reply_window_open)


@route(customer_api, "/tickets/{number}/messages", method="POST", status=201, request=schemas.NewMessage,
       audience="customer", refusals=(409,), response=shapes.MessageReply, summary="The customer writes back")
def reply(number, access: CustomerAccess, body: schemas.NewMessage):
    message = tickets.customer_reply(bootstrap.ticket_desk(), number=ticket_number(number), access=access,
                                     text=body.text, attachments=body.attachments)
    return shapes.message(message)


@route(customer_api, "/tickets/{number}/sms-updates", method="PUT", request=schemas.SmsUpdates, audience="customer",
       refusals=(409,), response=shapes.SmsUpdatesState,
       summary="The customer turns texts on agent replies on or off")
def sms_updates(number, access: CustomerAccess, body: schemas.SmsUpdates):
    ticket = tickets.set_sms_updates(bootstrap.ticket_desk(), number=ticket_number(number), access=access,
                                     enabled=body.enabled)
    return shapes.SmsUpdatesState(sms_updates=ticket.sms_updates)


@route(customer_api, "/tickets/{number}/attachments/{attachment_id}", audience="customer",
       response=shapes.DownloadLink, summary="A short-lived download link for an attachment of a public message")
def attachment(number, attachment_id, access: CustomerAccess):
    url, expires_in = tickets.attachment_for_customer(bootstrap.ticket_desk(), number=ticket_number(number),
                                                      access=access, attachment_id=attachment_id)
    return shapes.DownloadLink(url=url, expires_in=expires_in)


@route(customer_api, "/customer/sign-in", method="POST", status=202, request=schemas.SignIn, refusals=(429, 503),
       response=shapes.CodeSentReply,
       summary="Send a one-time code to an email address or mobile number (limited per identity and per network)")
def request_code(body: schemas.SignIn):
    sent = customers.request_code(bootstrap.sign_in_desk(), network=client_network(customer_api.current_request),
                                  email=body.email or None, phone=body.phone or None, language=body.language)
    return shapes.CodeSentReply(channel=sent.channel.value, expires_in=sent.expires_in)


@route(customer_api, "/customer/sign-in/verify", method="POST", request=schemas.VerifySignIn, refusals=(401, 429),
       response=shapes.SessionReply, summary="Trade a one-time code for a customer session token")
def verify_code(body: schemas.VerifySignIn):
    session = customers.verify_code(bootstrap.sign_in_desk(), network=client_network(customer_api.current_request),
                                    email=body.email or None, phone=body.phone or None, language=body.language,
                                    code=body.code)
    return shapes.SessionReply(token=session.token, expires_in=session.expires_in)


@route(customer_api, "/customer/tickets", audience="session", response=shapes.CustomerTickets,
       summary="The signed-in customer's tickets, by tab")
def my_tickets(identity: Identity):
    return shapes.customer_tickets(customers.history(bootstrap.ticket_views(), identity))
