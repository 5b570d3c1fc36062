"""Routes anyone may call: health, the catalog, uploads and the new-ticket form."""
from dataclasses import replace

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.http import route
from chalicelib.domain.attachments import ALLOWED_TYPES
from chalicelib.domain.client_network import network_of
from chalicelib.domain.sign_in import CustomerAccess
from chalicelib.domain.tickets import Language, Priority
from chalicelib.services import catalog, tickets, uploads

public_api = Blueprint(__name__)


@route(public_api, "/health", response=shapes.Health, summary="Liveness")
def health():
    return shapes.Health(status="ok")


@route(public_api, "/catalog", response=shapes.Catalog,
       summary="Departments, categories, priorities, languages and attachment limits")
def get_catalog():
    limits = bootstrap.limits()
    return shapes.Catalog(
        departments=[shapes.PublicDepartment(id=d.id, names=d.names,
                                             categories=[shapes.Named(id=c.id, names=c.names) for c in d.categories])
                     for d in catalog.list_departments(bootstrap.catalog())],
        priorities=list(Priority), languages=list(Language),
        limits=shapes.Limits(max_file_bytes=limits.max_file_bytes, max_message_bytes=limits.max_message_bytes,
                             max_files=limits.max_files, allowed_types=sorted(ALLOWED_TYPES)))


@route(public_api, "/uploads", method="POST", status=201, request=schemas.StartUpload,
       response=shapes.UploadGrant, summary="Presigned POST for one attachment, uploaded by the browser straight to S3")
def start_upload(body: schemas.StartUpload):
    grant = uploads.start_upload(bootstrap.files(), bootstrap.limits(), filename=body.filename,
                                 content_type=body.content_type, size=body.size)
    return shapes.UploadGrant(upload_id=grant.upload_id, url=grant.url, fields=grant.fields,
                              expires_in=grant.expires_in)


# Audience "customer": anyone may file a ticket; a session (or the key in `follows`) proves the ticket it follows.
@route(public_api, "/tickets", method="POST", status=201, request=schemas.OpenTicket, audience="customer",
       refusals=(404, 409, 429, 503), response=shapes.OpenedTicket,
       summary="Open a ticket")
def open_ticket(body: schemas.OpenTicket, access: CustomerAccess):
    follows, customer = body.follows or None, body.customer
    opened = tickets.open_ticket(bootstrap.ticket_desk(), tickets.NewTicket(
        subject=body.subject, department=body.department, category=body.category, priority=body.priority,
        text=body.text, language=body.language, customer_name=customer.name, customer_email=customer.email,
        customer_phone=customer.phone or None, attachments=body.attachments, sms_updates=body.sms_updates,
        follows=follows and follows.number, follows_proof=replace(access, key=follows.key if follows else ""),
        session=access.identity,
        client_network=network_of((public_api.current_request.context.get("identity") or {}).get("sourceIp"))))
    if not opened.confirmed:  # the key goes only to the address, in the confirmation mail
        return shapes.OpenedTicket(number=opened.number, confirmed=False)
    return shapes.OpenedTicket(number=opened.number, confirmed=True, access_key=opened.access_key, link=opened.link)
