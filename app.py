"""The helpdesk's Lambda entry points. Wiring only: routes live in chalicelib/api, handlers in chalicelib/events."""
from chalice import Chalice, ConvertToMiddleware

from chalicelib.api.accounts import accounts_api
from chalicelib.api.admin import admin_api
from chalicelib.api.agent import agent_api
from chalicelib.api.canned import canned_api
from chalicelib.api.customer import customer_api
from chalicelib.api.directory import directory_api
from chalicelib.api.kb import kb_api
from chalicelib.api.openapi import docs_api
from chalicelib.api.profiles import profiles_api
from chalicelib.api.public import public_api
from chalicelib.api.ratings import ratings_api
from chalicelib.api.reports import reports_api
from chalicelib.api.search import search_api
from chalicelib.observability import logger, metrics

app = Chalice(app_name="helpdesk")
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context))
app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
for blueprint in (public_api, customer_api, agent_api, docs_api):
    app.register_blueprint(blueprint)
app.register_blueprint(ratings_api)
app.register_blueprint(admin_api)
app.register_blueprint(directory_api)
app.register_blueprint(profiles_api)
app.register_blueprint(accounts_api)
app.register_blueprint(canned_api)
app.register_blueprint(reports_api)
app.register_blueprint(kb_api)
app.register_blueprint(search_api)

# Event handlers import their module on first call: an API container never pays for them (cold start, issue 13).

# Chalice takes only literals here; infra/wiring.yaml points both at the real stream and queue.
PLACEHOLDER_STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/helpdesk/stream/set-by-infra-wiring"


@app.on_dynamodb_record(stream_arn=PLACEHOLDER_STREAM, batch_size=25, starting_position="TRIM_HORIZON")
def publish_ticket_events(event):
    from chalicelib.events import publisher
    return publisher.handle(event)


@app.on_sqs_message(queue="notifications", batch_size=10)
def send_notifications(event):
    from chalicelib.events import notifications
    return notifications.handle(event)


@app.on_sqs_message(queue="alerts", batch_size=10)
def send_alerts(event):
    from chalicelib.events import alerts
    return alerts.handle(event)


@app.on_sqs_message(queue="stats", batch_size=10)
def aggregate_reports(event):
    from chalicelib.events import reports as report_events
    return report_events.handle(event)


@app.on_sqs_message(queue="inbound-mail", batch_size=10)
def receive_mail(event):
    from chalicelib.events import inbound
    return inbound.handle(event)


@app.on_sqs_message(queue="uploads", batch_size=10)
def check_uploads(event):
    from chalicelib.events import uploads
    return uploads.handle(event)
# FIFO, one message group: one indexer at a time, no throttled retries into the DLQ (docs/search.md).
@app.on_sqs_message(queue="search-index.fifo", batch_size=10)
def index_tickets(event):
    from chalicelib.events import search_index
    return search_index.handle(event)


# FIFO, one message group: article events -> static pages, sitemap, article index (issue 15, docs/search.md).
@app.on_sqs_message(queue="kb-publish.fifo", batch_size=10)
def publish_articles(event):
    from chalicelib.events import kb_publish
    return kb_publish.handle(event)


@app.schedule("rate(1 hour)")
def auto_close_silent_tickets(event):
    from chalicelib.events import automation
    return automation.close_and_remind(event)


@app.schedule("rate(1 day)")
def archive_closed_tickets(event):
    from chalicelib.events import automation
    return automation.archive(event)


@app.schedule("rate(5 minutes)")
def sweep_sla(event):
    from chalicelib.events import automation
    return automation.sweep_sla(event)
