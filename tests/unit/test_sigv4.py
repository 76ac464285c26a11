"""The local @connections API's signature check accepts exactly what botocore signs with the
shared secret, over this method, path, query, host and body, and nothing stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_gateway.sigv4 import SignedRequest, verify

SECRET = "the-shared-secret"
URL = "http://127.0.0.1:8000/@connections/abc_DEF-1"


def signed(
    method: str = "POST", url: str = URL, body: bytes = b'{"type": "x"}', secret: str = SECRET
) -> SignedRequest:
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("any-key-id", secret), "execute-api", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = "127.0.0.1:8000"  # what the HTTP client adds on the wire
    return SignedRequest(method, url, headers, body)


def signed_at(request: SignedRequest) -> datetime:
    return datetime.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def with_(request: SignedRequest, **changes: object) -> SignedRequest:
    fields = {"method": request.method, "url": request.url, "headers": request.headers, "body": request.body}
    return SignedRequest(**{**fields, **changes})  # type: ignore[arg-type]


def test_botocore_signatures_verify() -> None:
    for request in [signed(), signed("DELETE", body=b""), signed("GET", URL + "?a=1&b=two", b"")]:
        assert verify(request, SECRET, signed_at(request))
        assert verify(request, SECRET, signed_at(request) + timedelta(minutes=4))


def test_anything_changed_or_stale_does_not() -> None:
    good = signed()
    now = signed_at(good)
    assert not verify(good, "another-secret", now)
    assert not verify(good, "", now)
    assert not verify(with_(good, body=b'{"type": "finished"}'), SECRET, now)
    assert not verify(with_(good, method="DELETE"), SECRET, now)
    assert not verify(with_(good, url=URL.replace("abc", "xyz")), SECRET, now)
    assert not verify(with_(good, url=URL + "?extra=1"), SECRET, now)
    assert not verify(with_(good, headers={**good.headers, "host": "evil:80"}), SECRET, now)
    assert not verify(good, SECRET, now + timedelta(minutes=6))
    assert not verify(good, SECRET, now - timedelta(minutes=6))


@pytest.mark.parametrize("header", ["authorization", "x-amz-date", "host"])
def test_a_missing_part_does_not_verify(header: str) -> None:
    good = signed()
    headers = {name: value for name, value in good.headers.items() if name != header}
    assert not verify(with_(good, headers=headers), SECRET, signed_at(good))


def test_a_declared_body_hash_must_be_the_bodys() -> None:
    good = signed()
    for declared in ("UNSIGNED-PAYLOAD", "0" * 64):
        headers = {**good.headers, "x-amz-content-sha256": declared}
        assert not verify(with_(good, headers=headers), SECRET, signed_at(good))
