"""Problem packages larger than API Gateway's 10 MB body cap, through S3 (issue 14 point 1).

`POST /admin/problems/uploads` answers a presigned PUT URL for a fresh key under
UPLOAD_PREFIX of the upload bucket (CODEARENA_UPLOAD_BUCKET); the organizer PUTs the zip there
(curl -T, or the browser: the bucket allows cross-origin PUTs), then
`POST /admin/problems/uploads/import` `{"key"}` imports it as `POST /admin/problems/import`
imports a zip body (upload.import_zip) and deletes the object. The bucket's lifecycle rule drops
uploads never imported after a day.

Without a bucket (a local gateway, no S3) both routes answer 409 `uploads_unavailable`: the
local gateway caps bodies at 10 MB as API Gateway does, so a larger package is imported on the
machine with `codearena problem import PATH` (which reads it from disk and judges it).
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from codearena import validation as v
from codearena.core import Core
from codearena.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, ServiceUnavailable
from codearena.packages.upload import import_zip

UPLOAD_PREFIX = "problem-uploads/"
URL_SECONDS = 900  # how long a presigned URL may be used
MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # compressed; the archive reader caps the unpacked size too
ZIP = "application/zip"
log = logging.getLogger(__name__)
_KEY = re.compile(re.escape(UPLOAD_PREFIX) + r"[0-9a-f]{32}\.zip", re.ASCII)
NO_BUCKET = (
    "uploads need an S3 bucket (CODEARENA_UPLOAD_BUCKET) and none is configured: send a zip of up"
    " to 10 MB as the body of POST /admin/problems/import, or import a larger package from the"
    " machine with `codearena problem import PATH`"
)


def presign(core: Core, s3: Any) -> dict[str, Any]:
    """A fresh upload key and the presigned URL to PUT the zip to (with the headers to send)."""
    bucket = _bucket(core)
    key = f"{UPLOAD_PREFIX}{secrets.token_hex(16)}.zip"
    try:
        url = s3.generate_presigned_url(
            "put_object", Params={"Bucket": bucket, "Key": key, "ContentType": ZIP}, ExpiresIn=URL_SECONDS
        )
    except Exception as exc:  # botocore's errors: no credentials, a bad region
        raise ServiceUnavailable(f"S3 could not sign an upload URL: {exc}", "uploads_unavailable") from exc
    expires_at = core.clock() + timedelta(seconds=URL_SECONDS)
    return {
        "key": key,
        "url": url,
        "method": "PUT",
        "headers": {"Content-Type": ZIP},
        "expires_at": expires_at.isoformat(),
        "max_bytes": MAX_UPLOAD_BYTES,
    }


def import_upload(core: Core, s3: Any, body: Any) -> dict[str, Any]:
    """Import the zip uploaded under `body["key"]` (import_zip's answer) and delete it.
    404 when nothing was uploaded there; the object stays when the package is refused."""
    key = v.string(v.body_object(body), "key", max_len=100)
    if not _KEY.fullmatch(key):
        raise BadRequest(
            f"'key' must be a key POST /admin/problems/uploads gave, not {key!r}", "invalid_field"
        )
    bucket = _bucket(core)  # after the body's checks: a malformed request is 400 everywhere
    data = _read(s3, bucket, key)
    imported = import_zip(core, data)
    _delete(s3, bucket, key)
    return {**imported, "upload_key": key}


def _bucket(core: Core) -> str:
    if not core.settings.upload_bucket:
        raise Conflict(NO_BUCKET, "uploads_unavailable")
    return core.settings.upload_bucket


def _read(s3: Any, bucket: str, key: str) -> bytes:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        size = int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
        if size > MAX_UPLOAD_BYTES:
            raise PayloadTooLarge(f"the upload is over {MAX_UPLOAD_BYTES >> 20} MiB", "package_too_large")
        return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise NotFound(f"nothing was uploaded to {key} (or it expired)", "upload_not_found") from exc
        raise ServiceUnavailable(f"S3 could not read the upload: {exc}", "uploads_unavailable") from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable(f"S3 could not read the upload: {exc}", "uploads_unavailable") from exc


def _delete(s3: Any, bucket: str, key: str) -> None:
    """Best effort: the problem is stored; the lifecycle rule drops a leftover upload."""
    try:
        s3.delete_object(Bucket=bucket, Key=key)
    except Exception:  # botocore's errors: the import is done, nothing to undo
        log.warning("problem upload %s: deleting it failed", key, exc_info=True)
