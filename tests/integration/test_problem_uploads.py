"""Problem packages over API Gateway's 10 MB cap, through a presigned S3 upload
(codearena.packages.uploads): the routes on the real PostgreSQL, S3 from moto's server over
HTTP (the zip is PUT to the presigned URL as an organizer's curl would), and without a bucket."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from chalicelib.routes.contests import s3_client
from codearena.config import Settings
from codearena.core import Core
from codearena.packages import package_files, package_files_of
from tests.e2e.conftest import moto_endpoint
from tests.integration.conftest import Caller, error_of, login
from tests.integration.test_packages import PACKAGES, _count, _zipped

__all__ = ["moto_endpoint"]  # the fixture, shared
BUCKET = f"codearena-uploads-{secrets.token_hex(4)}"  # moto's state is the process's: one of our own


@pytest.fixture
def s3(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(
        boto3, "DEFAULT_SESSION", None
    )  # one that reads these variables, not an earlier test's
    s3_client.cache_clear()
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    yield client
    for listed in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=listed["Key"])
    client.delete_bucket(Bucket=BUCKET)
    s3_client.cache_clear()


@pytest.fixture
def with_bucket(settings: Settings, monkeypatch: pytest.MonkeyPatch, s3: Any, http: Any) -> Iterator[Core]:
    """The API (after `http` set up the test client) on a core whose settings name the bucket."""
    import app as app_module

    from chalicelib.api import Api

    core = Core.from_settings(dataclasses.replace(settings, upload_bucket=BUCKET))
    monkeypatch.setattr(app_module, "api", Api(core))
    yield core
    core.close()


def test_a_package_is_put_to_the_presigned_url_then_imported(
    with_bucket: Core, call: Caller, s3: Any
) -> None:
    admin = login(with_bucket, "up-admin", role=_admin())
    upload = call("POST", "/admin/problems/uploads", {}, admin)
    assert upload.status_code == 201, upload.body
    answer = upload.json_body
    assert answer["key"].startswith("problem-uploads/") and answer["method"] == "PUT"
    assert "X-Amz-Signature=" in answer["url"] and BUCKET in answer["url"]
    put = httpx.put(answer["url"], content=_zipped("custom"), headers=answer["headers"], timeout=30)
    assert put.status_code == 200, put.text
    imported = call("POST", "/admin/problems/uploads/import", {"key": answer["key"]}, admin)
    assert imported.status_code == 201, imported.body
    problem = imported.json_body
    assert (problem["checker"], problem["tests"], problem["upload_key"]) == ("validator", 3, answer["key"])
    with with_bucket.db.transaction() as cur:
        assert package_files(cur, problem["id"]) == package_files_of(PACKAGES / "custom")
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0  # the upload is deleted
    error_of(
        call("POST", "/admin/problems/uploads/import", {"key": answer["key"]}, admin), 404, "upload_not_found"
    )


def test_a_broken_upload_is_refused_and_kept_and_bad_keys_are_400(
    with_bucket: Core, call: Caller, s3: Any
) -> None:
    admin = login(with_bucket, "up-admin", role=_admin())
    key = call("POST", "/admin/problems/uploads", {}, admin).json_body["key"]
    s3.put_object(Bucket=BUCKET, Key=key, Body=_zipped("broken/missing_answer"))
    before = _count(with_bucket, "problems")
    error_of(call("POST", "/admin/problems/uploads/import", {"key": key}, admin), 400, "missing_answer")
    assert _count(with_bucket, "problems") == before
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1
    for bad in ({"key": "web/index.html"}, {"key": "problem-uploads/../x.zip"}, {}, {"key": 7}):
        error_of(call("POST", "/admin/problems/uploads/import", bad, admin), 400, "invalid_field")
    contestant = login(with_bucket, "up-contestant")
    error_of(call("POST", "/admin/problems/uploads", {}, contestant), 403)
    error_of(call("POST", "/admin/problems/uploads/import", {"key": key}, contestant), 403)


def test_without_a_bucket_uploads_say_how_to_import_instead(
    core: Core, call: Caller, admin: dict[str, str]
) -> None:
    for path, body in (
        ("/admin/problems/uploads", {}),
        ("/admin/problems/uploads/import", {"key": f"problem-uploads/{'a' * 32}.zip"}),
    ):
        error = error_of(call("POST", path, body, admin), 409, "uploads_unavailable")
        assert "codearena problem import PATH" in error["message"]


def _admin() -> Any:
    from codearena.models import Role

    return Role.ADMIN
