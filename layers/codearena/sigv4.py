"""AWS Signature Version 4 for the fan-out's `@connections` POSTs.

The signature is the one botocore's `SigV4Auth` computes (tests/unit/test_connections_signer.py compares
them on the same request), without its cost: botocore builds an `AWSRequest`, splits the URL
and walks an `email.Message` of headers for every call, about 200 µs a request here, most of
what one process spends per post at thousands of posts a second. Here the signing key is
derived once a day, what a message's posts share is prepared once, and a post costs a SHA-256
and an HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "execute-api"


@dataclass(frozen=True)
class Keys:
    """Credentials as botocore's `get_frozen_credentials()` gives them."""

    access_key: str
    secret_key: str
    token: str | None = None


def amz_date(now: datetime | None = None) -> str:
    """X-Amz-Date: UTC, to the second."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def payload_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class Signer:
    """Signs POSTs to one host in one region; safe to share (the key cache only grows by a
    day's entry)."""

    def __init__(self, host: str, region: str, service: str = SERVICE) -> None:
        self.host = host
        self.region = region
        self.service = service
        self._keys: dict[tuple[str, str], bytes] = {}

    def prepare(self, keys: Keys, body_sha256: str, stamp: str) -> Prepared:
        """What every POST of one body at one time shares; only the path differs."""
        scope = f"{stamp[:8]}/{self.region}/{self.service}/aws4_request"
        names = "host;x-amz-date;x-amz-security-token" if keys.token else "host;x-amz-date"
        token_line = f"x-amz-security-token:{keys.token}\n" if keys.token else ""
        token_header = f"X-Amz-Security-Token: {keys.token}\r\n" if keys.token else ""
        credential = f"Credential={keys.access_key}/{scope}, SignedHeaders={names}, Signature="
        return Prepared(
            key=self._key(keys.secret_key, stamp[:8]),
            canonical_tail=f"\n\nhost:{self.host}\nx-amz-date:{stamp}\n{token_line}\n{names}\n{body_sha256}",
            to_sign_head=f"{ALGORITHM}\n{stamp}\n{scope}\n",
            headers_head=f"X-Amz-Date: {stamp}\r\n{token_header}Authorization: {ALGORITHM} {credential}",
        )

    def _key(self, secret_key: str, day: str) -> bytes:
        key = self._keys.get((secret_key, day))
        if key is None:
            key = f"AWS4{secret_key}".encode()
            for part in (day, self.region, self.service, "aws4_request"):
                key = hmac.digest(key, part.encode(), "sha256")
            self._keys = {(secret_key, day): key}  # yesterday's key is never needed again
        return key


@dataclass(frozen=True)
class Prepared:
    key: bytes
    canonical_tail: str  # the canonical request after its path
    to_sign_head: str  # the string to sign before the canonical request's hash
    headers_head: str  # the signing headers before the signature

    def headers(self, path: str) -> str:
        """The signing headers of `POST path` (as sent: already percent-encoded), as HTTP/1.1
        header lines each ending in CRLF."""
        # The path is encoded once more, as AWS does for every service but S3; no query.
        canonical = f"POST\n{quote(path, safe='/~')}{self.canonical_tail}"
        to_sign = self.to_sign_head + hashlib.sha256(canonical.encode()).hexdigest()
        return f"{self.headers_head}{hmac.digest(self.key, to_sign.encode(), 'sha256').hex()}\r\n"
