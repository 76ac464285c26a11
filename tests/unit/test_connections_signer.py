"""The fan-out's own SigV4 signer signs an @connections POST exactly as botocore does."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from codearena.sigv4 import Keys, Signer, payload_hash

STAMP = "20261203T101530Z"
SIGNATURE = re.compile(r"Signature=([0-9a-f]{64})")


def botocore_signature(url: str, body: bytes, keys: Keys, region: str) -> str:
    request = AWSRequest(method="POST", url=url, data=body, headers={"X-Amz-Date": STAMP})
    if keys.token:
        request.headers["X-Amz-Security-Token"] = keys.token
    request.context["timestamp"] = STAMP
    signer = SigV4Auth(Credentials(keys.access_key, keys.secret_key, keys.token), "execute-api", region)
    return str(signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request))


@pytest.mark.parametrize("connection_id", ["L0SM9cOFvHcCIhw=", "a+b/c", "plain", "ünï code"])
@pytest.mark.parametrize(
    "host, prefix", [("abc123.execute-api.eu-west-1.amazonaws.com", "/production"), ("127.0.0.1:8123", "")]
)
@pytest.mark.parametrize("token", [None, "session/token+with=odd chars"])
def test_the_signature_is_botocores(connection_id: str, host: str, prefix: str, token: str | None) -> None:
    keys = Keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    body = b'{"type": "leaderboard", "rows": []}'
    path = f"{prefix}/@connections/{quote(connection_id, safe='-_.~')}"
    headers = Signer(host, "eu-west-1").prepare(keys, payload_hash(body), STAMP).headers(path)
    scheme = "https" if prefix else "http"
    expected = botocore_signature(f"{scheme}://{host}{path}", body, keys, "eu-west-1")
    found = SIGNATURE.search(headers)
    assert found is not None and found.group(1) == expected
    signed = "host;x-amz-date;x-amz-security-token" if token else "host;x-amz-date"
    scope = "AKIDEXAMPLE/20261203/eu-west-1/execute-api/aws4_request"
    assert f"Credential={scope}, SignedHeaders={signed}," in headers
    assert f"X-Amz-Date: {STAMP}\r\n" in headers
    assert (f"X-Amz-Security-Token: {token}\r\n" in headers) == bool(token)


def test_the_signature_covers_the_body_and_the_connection() -> None:
    signer, keys = Signer("h", "us-east-1"), Keys("a", "b")
    one = signer.prepare(keys, payload_hash(b"1"), STAMP)
    two = signer.prepare(keys, payload_hash(b"2"), STAMP)
    assert one.headers("/@connections/x") != two.headers("/@connections/x")
    assert one.headers("/@connections/x") != one.headers("/@connections/y")
