"""Typed settings read from the environment when first asked for (never at import).

Lambda gets them from infra/wiring.yaml, the local runtime from local/provision.py; tests set them
and call `get_settings.cache_clear()`.
"""
import os
from dataclasses import dataclass
from functools import lru_cache

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    region: str
    helpdesk_table: str
    idempotency_table: str
    attachments_bucket: str
    events_topic_arn: str
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    link_secret_arn: str
    mail_from: str
    customer_site_url: str
    web_origin: str
    max_file_bytes: int
    max_message_bytes: int
    max_files: int
    inbound_department: str  # where mail to the help desk opens tickets; "" = the first department
    inbound_category: str    # "" = that department's first category
    unconfirmed_per_address: int  # active tickets filed without sign-in waiting for confirmation, per address
    unconfirmed_per_network: int  # ... and per client network (IPv4 /24, IPv6 /64)
    catalog_cache_seconds: float = 5.0  # how long a container reuses the catalog, rules and policies it read
    max_json_body_bytes: int = 256 * 1024  # a larger JSON request body is refused with 413 (api/http.parse_body)
    reports_table: str = "helpdesk-reports"  # report day buckets and applied-markers (issue 16)
    reports_zone: str = "UTC"  # the desk's time zone: reports count local days and hours of it
    web_bucket: str = "helpdesk-web"  # the sites' bucket: published articles are written there as static pages
    kb_index_check_seconds: float = 5.0  # how long a container trusts its article search index without asking
    search_bucket: str = ""        # where the search index files live (docs/search.md); "" = attachments_bucket
    search_queue_url: str = ""     # the FIFO index queue the outbox relay feeds; "" = no search indexing
    kb_queue_url: str = ""         # the FIFO KB publication queue (article events); "" = no static pages/article index
    search_dir: str = ""           # a container's copy of the index; "" = a new temporary directory (under /tmp)
    search_check_seconds: float = 2.0  # readers look at the index manifest at most this often

    @property
    def portal_site_url(self) -> str:
        # Both sites are served from the one web origin (CloudFront paths; locally the static server).
        return f"{self.web_origin.rstrip('/')}/portal/"

    @property
    def token_issuer(self) -> str:
        # Cognito (and moto) always name the real AWS host in `iss`, even when the JWKS comes from elsewhere.
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    region = _env("AWS_REGION") or _env("AWS_DEFAULT_REGION", "us-east-1")
    pool = _env("USER_POOL_ID")
    return Settings(
        region=region,
        helpdesk_table=_env("HELPDESK_TABLE", "helpdesk"),
        idempotency_table=_env("IDEMPOTENCY_TABLE", "helpdesk-idempotency"),
        attachments_bucket=_env("ATTACHMENTS_BUCKET", "helpdesk-attachments"),
        events_topic_arn=_env("EVENTS_TOPIC_ARN"),
        user_pool_id=pool,
        user_pool_client_id=_env("USER_POOL_CLIENT_ID"),
        jwks_url=_env("JWKS_URL") or f"https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json",
        link_secret_arn=_env("LINK_SECRET_ARN"),
        mail_from=_env("MAIL_FROM", "helpdesk@example.com"),
        customer_site_url=_env("CUSTOMER_SITE_URL", "http://127.0.0.1:8080/customer/"),
        web_origin=_env("WEB_ORIGIN", "http://127.0.0.1:8080"),
        max_file_bytes=int(_env("MAX_FILE_BYTES", str(10 * MB))),
        max_message_bytes=int(_env("MAX_MESSAGE_BYTES", str(25 * MB))),
        max_files=int(_env("MAX_FILES", "10")),
        inbound_department=_env("INBOUND_DEPARTMENT"),
        inbound_category=_env("INBOUND_CATEGORY"),
        catalog_cache_seconds=float(_env("CATALOG_CACHE_SECONDS", "5")),
        max_json_body_bytes=int(_env("MAX_JSON_BODY_BYTES", str(256 * 1024))),
        web_bucket=_env("WEB_BUCKET", "helpdesk-web"),
        kb_index_check_seconds=float(_env("KB_INDEX_CHECK_SECONDS", "5")),
        search_bucket=_env("SEARCH_BUCKET") or _env("ATTACHMENTS_BUCKET", "helpdesk-attachments"),
        search_queue_url=_env("SEARCH_QUEUE_URL"),
        kb_queue_url=_env("KB_QUEUE_URL"),
        search_dir=_env("SEARCH_DIR"),
        search_check_seconds=float(_env("SEARCH_CHECK_SECONDS", "2")),
        unconfirmed_per_address=int(_env("UNCONFIRMED_PER_ADDRESS", "3")),
        unconfirmed_per_network=int(_env("UNCONFIRMED_PER_NETWORK", "20")),
        reports_table=_env("REPORTS_TABLE", "helpdesk-reports"),
        reports_zone=_env("REPORTS_ZONE", "UTC"),
    )
