"""AWS Signature Version 4, checked on the receiving side with botocore's own signer: the
local @connections API accepts what boto3 signs with the shared secret as its secret key."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MAX_CLOCK_SKEW_SECONDS = 300  # a signature older (or newer) than this is refused
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)"
    r"/(?P<service>[^/,\s]+)/aws4_request,\s*SignedHeaders=(?P<signed>[a-z0-9;-]+),"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})",
    re.ASCII,
)


@dataclass(frozen=True)
class SignedRequest:
    method: str
    url: str  # as it was sent: http://<Host header><raw path>[?<raw query>]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def verify(request: SignedRequest, secret_key: str, now: datetime) -> bool:
    """Whether `request` is signed with `secret_key` (any access key id), no more than
    MAX_CLOCK_SKEW_SECONDS away from `now`, over its method, path, query, host and body."""
    match = _AUTHORIZATION.fullmatch(request.headers.get("authorization", ""))
    stamp = request.headers.get("x-amz-date", "")
    if match is None or not secret_key or not _fresh(stamp, match["date"], now):
        return False
    names = match["signed"].split(";")
    if "host" not in names or any(name not in request.headers for name in names):
        return False
    if not _body_hash_matches(request):
        return False
    signed = AWSRequest(
        method=request.method,
        url=request.url,
        data=request.body,
        headers={name: request.headers[name] for name in names},
    )
    signed.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials(match["key"], secret_key), match["service"], match["region"])
    expected = signer.signature(signer.string_to_sign(signed, signer.canonical_request(signed)), signed)
    return hmac.compare_digest(expected, match["signature"])


def _fresh(stamp: str, credential_date: str, now: datetime) -> bool:
    try:
        signed_at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return False
    skew_seconds = abs((now - signed_at).total_seconds())
    return stamp[:8] == credential_date and skew_seconds <= MAX_CLOCK_SKEW_SECONDS


def _body_hash_matches(request: SignedRequest) -> bool:
    """A signed X-Amz-Content-SHA256 stands in for the body in the signature: it must be the
    body's hash (never UNSIGNED-PAYLOAD), or the body could be swapped under a signature."""
    declared = request.headers.get("x-amz-content-sha256")
    return declared is None or declared == hashlib.sha256(request.body).hexdigest()
