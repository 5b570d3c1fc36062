"""Wires the real adapters to the ports, once per container, on first use (never at import)."""
from __future__ import annotations

import tempfile
from functools import lru_cache

from chalicelib.domain.attachments import Limits
from chalicelib.services.ports import Clock
from chalicelib.settings import get_settings


@lru_cache(maxsize=1)
def tickets():
    from chalicelib.adapters.dynamo import DynamoTicketRepository
    return DynamoTicketRepository(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def ticket_views():
    from chalicelib.adapters.ticket_views import DynamoTicketViews
    return DynamoTicketViews(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def catalog():
    from chalicelib.adapters.catalog_cache import CachedCatalog
    from chalicelib.adapters.dynamo import DynamoCatalogRepository
    return CachedCatalog(DynamoCatalogRepository(get_settings().helpdesk_table),
                         ttl=get_settings().catalog_cache_seconds)


@lru_cache(maxsize=1)
def files():
    from chalicelib.adapters.files import S3FileStore
    from chalicelib.adapters.uploads import DynamoUploadRecords
    return S3FileStore(get_settings().attachments_bucket, DynamoUploadRecords(get_settings().helpdesk_table))


@lru_cache(maxsize=1)
def agents():
    from chalicelib.adapters.directory import CognitoAgentDirectory
    return CognitoAgentDirectory(get_settings().user_pool_id)


@lru_cache(maxsize=1)
def presence():
    from chalicelib.adapters.presence import DynamoPresenceBoard
    return DynamoPresenceBoard(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def secrets():
    from chalicelib.adapters.messaging import SecretsManagerSource
    return SecretsManagerSource(get_settings().link_secret_arn)


@lru_cache(maxsize=1)
def event_bus():
    from chalicelib.adapters.messaging import SnsEventBus
    return SnsEventBus(get_settings().events_topic_arn)


@lru_cache(maxsize=1)
def mailer():
    from chalicelib.adapters.messaging import SesMailer
    return SesMailer(get_settings().mail_from)


@lru_cache(maxsize=1)
def sms():
    from chalicelib.adapters.messaging import SnsSmsSender
    return SnsSmsSender()


@lru_cache(maxsize=1)
def sign_in_codes():
    from chalicelib.adapters.sign_in import DynamoSignInCodes
    return DynamoSignInCodes(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def rate_limiter():
    from chalicelib.adapters.rate_limits import DynamoRateLimiter
    return DynamoRateLimiter(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def agent_profiles():
    from chalicelib.adapters.alerts import DynamoAgentProfiles
    return DynamoAgentProfiles(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def sms_quota():
    from chalicelib.adapters.alerts import DynamoSmsQuota
    return DynamoSmsQuota(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def accounts():
    from chalicelib.adapters.accounts import CognitoAgentAccounts
    return CognitoAgentAccounts(get_settings().user_pool_id)


@lru_cache(maxsize=1)
def revocations():
    from chalicelib.adapters.accounts import DynamoRevocations
    return DynamoRevocations(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def canned_answers():
    from chalicelib.adapters.canned import DynamoCannedAnswers
    return DynamoCannedAnswers(get_settings().helpdesk_table)


@lru_cache(maxsize=1)
def reports():
    from chalicelib.adapters.reports import DynamoReportStore
    return DynamoReportStore(get_settings().reports_table)


@lru_cache(maxsize=1)
def knowledge_base():
    from chalicelib.adapters.kb import DynamoKnowledgeBase
    return DynamoKnowledgeBase(get_settings().helpdesk_table, get_settings().reports_zone)


@lru_cache(maxsize=1)
def static_site():
    from chalicelib.adapters.kb import S3StaticSite
    return S3StaticSite(get_settings().web_bucket)


@lru_cache(maxsize=1)
def article_search():
    from chalicelib.adapters.kb_search import S3ArticleSearch
    s = get_settings()
    return S3ArticleSearch.in_s3(bucket=s.search_bucket, table=s.helpdesk_table, check_seconds=s.kb_index_check_seconds)


@lru_cache(maxsize=1)
def search_store():
    from chalicelib.adapters.search_engine import Shards
    from chalicelib.adapters.search_store import S3IndexStore
    s = get_settings()
    directory = s.search_dir or tempfile.mkdtemp(prefix="helpdesk-search-")  # Lambda: under /tmp
    return S3IndexStore(s.search_bucket, Shards(directory), check_every=s.search_check_seconds)


@lru_cache(maxsize=1)
def search_reader():
    from chalicelib.adapters.search_store import S3SearchReader
    return S3SearchReader(search_store())


@lru_cache(maxsize=1)
def search_index():
    from chalicelib.adapters.search_store import DynamoLease, S3SearchIndex
    return S3SearchIndex(search_store(), DynamoLease(get_settings().helpdesk_table))


@lru_cache(maxsize=1)
def search_feed():
    from chalicelib.adapters.search_feed import SqsSearchFeed
    return SqsSearchFeed(get_settings().search_queue_url)


@lru_cache(maxsize=1)
def article_feed():
    from chalicelib.adapters.kb_feed import SqsArticleFeed
    return SqsArticleFeed(get_settings().kb_queue_url)


def clock() -> Clock:
    return Clock()


def limits() -> Limits:
    s = get_settings()
    return Limits(max_file_bytes=s.max_file_bytes, max_message_bytes=s.max_message_bytes, max_files=s.max_files)


def unconfirmed_allowance():
    from chalicelib.domain.policies import UnconfirmedAllowance
    s = get_settings()
    return UnconfirmedAllowance(per_address=s.unconfirmed_per_address, per_network=s.unconfirmed_per_network)


def ticket_desk():
    """The ticket use cases' ports (each wired once, above) and settings (read at call time, like limits())."""
    from chalicelib.services.ports import TicketDesk
    return TicketDesk(tickets=tickets(), views=ticket_views(), catalog=catalog(), agents=agents(), files=files(),
                      secrets=secrets(), clock=clock(), limits=limits(), site_url=get_settings().customer_site_url,
                      unconfirmed=unconfirmed_allowance())


def sign_in_desk():
    """A customer's sign-in: its ports (each wired once, above)."""
    from chalicelib.services.ports import SignInDesk
    return SignInDesk(codes=sign_in_codes(), secrets=secrets(), mailer=mailer(), sms=sms(), clock=clock(),
                      limiter=rate_limiter(), tickets=tickets(), views=ticket_views())


def accounts_desk():
    """An admin's work on agents' accounts: its ports (each wired once, above)."""
    from chalicelib.services.ports import AccountsDesk
    return AccountsDesk(accounts=accounts(), directory=agents(), revocations=revocations(), clock=clock())


def alert_desk():
    """Alerts: their ports (each wired once, above) and the addresses they point to (settings at call time)."""
    from chalicelib.services.ports import AlertDesk
    s = get_settings()
    return AlertDesk(profiles=agent_profiles(), catalog=catalog(), agents=agents(), mailer=mailer(), sms=sms(),
                     quota=sms_quota(), secrets=secrets(), site_url=s.customer_site_url, portal_url=s.portal_site_url,
                     mailbox=s.mail_from)


def reset() -> None:
    """Forget every wired adapter (tests, or settings that changed)."""
    get_settings.cache_clear()
    for factory in (tickets, ticket_views, catalog, agents, presence, files, secrets, event_bus, mailer, sms,
                    sign_in_codes, agent_profiles, sms_quota, rate_limiter, accounts, revocations, canned_answers,
                    reports, knowledge_base, static_site, article_search,
                    search_store, search_reader, search_index, search_feed, article_feed):
        factory.cache_clear()
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.idempotency import persistence_layer
    from chalicelib.api.auth import token_verifier
    for cached in (client, persistence_layer, token_verifier):
        cached.cache_clear()
