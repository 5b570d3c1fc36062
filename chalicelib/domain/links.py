"""The customer's private link, and the signed one-click rating links of a reply.

The key in the link is derived from a server secret and a per-ticket random salt:
key = HMAC-SHA256(secret, "<number>:<salt>") (256 bits). The table keeps only the salt and SHA-256(key),
so a copy of the table alone opens no ticket, while the mail worker, which holds the secret, can
put the link into every mail. A new salt revokes the old link.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_salt() -> str:
    return secrets.token_hex(16)


def derive_key(secret: bytes, number: int, salt: str) -> str:
    digest = hmac.new(secret, f"{number}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), stored_hash)


def ticket_link(site_url: str, number: int, key: str) -> str:
    return f"{site_url.rstrip('/')}/#/t/{number}/{key}"


def rating_signature(secret: bytes, number: int, message_id: str) -> str:
    """Signs one reply of one ticket for the one-click rating links in mail (no sign-in needed)."""
    digest = hmac.new(secret, f"rate:{number}:{message_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def rating_signature_matches(secret: bytes, number: int, message_id: str, signature: str) -> bool:
    # Bytes on both sides: compare_digest refuses non-ASCII str, and a signature comes from a stranger.
    return hmac.compare_digest(rating_signature(secret, number, message_id).encode(), signature.encode())


def rating_link(site_url: str, number: int, message_id: str, signature: str, rating: str) -> str:
    return f"{site_url.rstrip('/')}/#/rate/{number}/{message_id}/{signature}/{rating}"


def reply_signature(secret: bytes, number: int) -> str:
    """Signs a ticket's reply address. Hex, because mail systems may change the case of an address."""
    return hmac.new(secret, f"reply:{number}".encode(), hashlib.sha256).hexdigest()[:16]


def reply_signature_matches(secret: bytes, number: int, signature: str) -> bool:
    return hmac.compare_digest(reply_signature(secret, number).encode(), signature.lower().encode())


def message_signature(secret: bytes, number: int, unique: str) -> str:
    """Signs one of our Message-IDs of a ticket (128 bits, hex: mail systems may change case). Without the
    secret nobody can make up an id that threads into a ticket, even knowing its number and event ids."""
    return hmac.new(secret, f"mid:{number}:{unique}".encode(), hashlib.sha256).hexdigest()[:32]


def message_signature_matches(secret: bytes, number: int, unique: str, signature: str) -> bool:
    return hmac.compare_digest(message_signature(secret, number, unique).encode(), signature.lower().encode())
