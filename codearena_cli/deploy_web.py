"""web/ in the stack's bucket behind CloudFront, with a config.json naming the stack's APIs."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codearena_cli.deploy_errors import FAILED, DeployError

# Set here rather than guessed from the machine's /etc/mime.types, which differs between hosts
# (an ES module served as text/plain is refused by browsers).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
# index.html and config.json change with every deploy and name everything else: always revalidate.
# The modules have no content hash in their names (no build step), so they are cached briefly.
NO_CACHE = "no-cache"
SHORT_CACHE = "public, max-age=300"
ALWAYS_FRESH = ("index.html", "config.json")
CONFIG = "config.json"


@dataclass(frozen=True)
class WebUpload:
    uploaded: list[str]
    removed: list[str]


def web_config(outputs: dict[str, str]) -> bytes:
    """config.json for web/js/app.js: the REST API's base and the WebSocket URL of the stack."""
    missing = [name for name in ("RestApiUrl", "WebSocketUrl") if not outputs.get(name)]
    if missing:
        raise DeployError(f"the stack has no output {', '.join(missing)}: was the template updated?", FAILED)
    config = {"apiBase": outputs["RestApiUrl"].rstrip("/"), "webSocketUrl": outputs["WebSocketUrl"]}
    return (json.dumps(config, indent=2) + "\n").encode()


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def cache_control(key: str) -> str:
    return NO_CACHE if key in ALWAYS_FRESH else SHORT_CACHE


def upload_web(s3: Any, bucket: str, web_dir: Path, config: bytes) -> WebUpload:
    """Put every file of web_dir (its config.json replaced by config); remove keys no longer there."""
    files = {p.relative_to(web_dir).as_posix(): p for p in sorted(web_dir.rglob("*")) if p.is_file()}
    bodies = {key: path.read_bytes() for key, path in files.items() if key != CONFIG}
    bodies[CONFIG] = config
    for key, body in sorted(bodies.items()):
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type(key), CacheControl=cache_control(key)
        )
    stale = sorted(set(_keys(s3, bucket)) - set(bodies))
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1,000 keys
        batch = [{"Key": key} for key in stale[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    return WebUpload(uploaded=sorted(bodies), removed=stale)


def _keys(s3: Any, bucket: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker (CloudFormation cannot delete a full bucket)."""
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
    doomed = [
        {"Key": item["Key"], "VersionId": item["VersionId"]}
        for page in pages
        for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
    ]
    for start in range(0, len(doomed), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True})
    return len(doomed)


def invalidate(cloudfront: Any, distribution_id: str, reference: str) -> str:
    """Ask CloudFront to drop every cached path; the invalidation's id."""
    batch = {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference}
    created = cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch=batch)
    invalidation_id: str = created["Invalidation"]["Id"]
    return invalidation_id
