"""A release: the template, the Lambda artifacts and the project wheel, put in the artifacts bucket.

Everything goes under `releases/<version>/` (the contract of issue 12): `deployment.zip` (chalice),
`layer.zip` (the core layer), the wheel the judge hosts install, and `template.yaml`, a copy of
the template whose local `CodeUri`/`ContentUri` paths point at those objects (what
`aws cloudformation package` does). The bucket is versioned and each location names its object
version, so deploying the same version again with new code still updates the functions, while an
unchanged artifact (same SHA-256) is not uploaded again and changes nothing.
"""

from __future__ import annotations

import copy
import hashlib
import io
import shutil
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError

from codearena_cli.deploy_errors import DeployError

WHEEL_BUILD = "build/wheel"  # `codearena deploy` builds the project wheel here
# Template properties that name a local file or directory to upload, by resource type.
LOCAL_ARTIFACTS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same files always zip to the same bytes
MISSING = ("404", "NoSuchKey", "NotFound")

Template = dict[str, Any]


@dataclass(frozen=True)
class Release:
    """A built release: its template's local paths are relative to base_dir."""

    version: str
    template: Template
    base_dir: Path
    wheel: Path

    @property
    def prefix(self) -> str:
        return f"releases/{self.version}/"

    def parameters(self) -> dict[str, dict[str, Any]]:
        """The template's declared parameters (name → declaration)."""
        return dict(self.template.get("Parameters") or {})


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str
    version_id: str | None

    def for_sam(self) -> Any:
        """How a SAM CodeUri/ContentUri names this object (with its version when there is one)."""
        if self.version_id is None:
            return f"s3://{self.bucket}/{self.key}"
        return {"Bucket": self.bucket, "Key": self.key, "Version": self.version_id}

    def url(self, region: str) -> str:
        return f"https://{self.bucket}.s3.{region}.amazonaws.com/{self.key}"


@dataclass(frozen=True)
class UploadedRelease:
    template: S3Location
    artifacts: dict[str, S3Location]  # by name under the release prefix
    uploaded: list[str]  # the names actually sent (the others were unchanged)


# --- building ---------------------------------------------------------------------------
def build_release(root: Path, template_path: Path) -> Release:
    """Render the template and build the layer (codearena_cli.package), then the project wheel."""
    from codearena_cli.package import write_template

    write_template(template_path, build_layer=True)
    return load_release(template_path, root, build_wheel(root, root / WHEEL_BUILD))


def prebuilt_release(template_path: Path) -> Release:
    """A release built before (`make package` + a wheel in build/wheel next to the template)."""
    if not template_path.is_file():
        raise DeployError(f"no template at {template_path}: run `make package` or deploy without --no-build")
    base = template_path.parent
    wheels = sorted((base / WHEEL_BUILD).glob("codearena-*-py3-none-any.whl"))
    if len(wheels) != 1:
        found = ", ".join(w.name for w in wheels) or "none"
        raise DeployError(f"expected one codearena wheel in {base / WHEEL_BUILD} (found {found})")
    return load_release(template_path, base, wheels[0])


def load_release(template_path: Path, base_dir: Path, wheel: Path) -> Release:
    try:
        template = yaml.safe_load(template_path.read_text())
    except yaml.YAMLError as exc:
        raise DeployError(f"{template_path} is not a template `codearena package` wrote: {exc}") from exc
    return Release(version=wheel_version(wheel), template=template, base_dir=base_dir, wheel=wheel)


def build_wheel(root: Path, out_dir: Path) -> Path:
    """`pip wheel --no-deps` of the project into out_dir (emptied first); the wheel's path."""
    for old in out_dir.glob("*.whl"):
        old.unlink()
    for stale in (root / "build" / "lib", *root.glob("build/bdist.*")):  # setuptools' in-tree cache
        shutil.rmtree(stale, ignore_errors=True)  # keeps files deleted from the sources otherwise
    argv = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out_dir)]
    result = subprocess.run([*argv, str(root)], capture_output=True, text=True)
    if result.returncode != 0:
        raise DeployError(f"building the project wheel failed:\n{result.stdout}{result.stderr}", 1)
    return next(out_dir.glob("codearena-*-py3-none-any.whl"))


def wheel_version(wheel: Path) -> str:
    """codearena-0.1.0-py3-none-any.whl → 0.1.0 (the wheel name's second field, PEP 427)."""
    return wheel.name.split("-")[1]


# --- the template's local artifacts -------------------------------------------------------
def local_artifacts(release: Release) -> dict[str, str]:
    """Each local CodeUri/ContentUri path in the template → its name under the release prefix."""
    names: dict[str, str] = {}
    for path in _local_paths(release.template):
        source = release.base_dir / path
        if not source.exists():
            raise DeployError(f"the template names {path}, which does not exist: run `make package`")
        name = source.name if source.is_file() else f"{source.name}.zip"
        if name in names.values() and names.get(path) != name:
            raise DeployError(f"two artifacts of the template would both be uploaded as {name}")
        names[path] = name
    return names


def _local_paths(template: Template) -> list[str]:
    return [value for _, _, value in _artifact_properties(template) if not value.startswith("s3://")]


def _artifact_properties(template: Template) -> list[tuple[dict[str, Any], str, str]]:
    """(properties, property name, value) of every string CodeUri/ContentUri in the template."""
    found = []
    for resource in (template.get("Resources") or {}).values():
        name = LOCAL_ARTIFACTS.get(resource.get("Type", ""))
        properties = resource.get("Properties") or {}
        if name and isinstance(properties.get(name), str):
            found.append((properties, name, properties[name]))
    return found


def pointed_at(template: Template, locations: dict[str, S3Location]) -> Template:
    """A copy of the template whose local artifact paths are the uploaded S3 objects."""
    packaged = copy.deepcopy(template)
    for properties, name, value in _artifact_properties(packaged):
        if value in locations:
            properties[name] = locations[value].for_sam()
    return packaged


def zip_directory(directory: Path) -> bytes:
    """The directory's files zipped in name order with fixed timestamps (same files → same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=ZIP_EPOCH)
            info.external_attr = (stat.S_IFREG | (path.stat().st_mode & 0o777)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def artifact_bytes(source: Path) -> bytes:
    return source.read_bytes() if source.is_file() else zip_directory(source)


# --- uploading ----------------------------------------------------------------------------
def upload_release(s3: Any, bucket: str, release: Release) -> UploadedRelease:
    """Upload the artifacts, the wheel and the template pointed at them; unchanged objects stay."""
    by_path = local_artifacts(release)
    artifacts: dict[str, S3Location] = {}
    sent: list[str] = []
    for path, name in sorted(by_path.items(), key=lambda item: item[1]):
        data = artifact_bytes(release.base_dir / path)
        artifacts[name], changed = put_once(s3, bucket, release.prefix + name, data, "application/zip")
        sent += [name] if changed else []
    wheel = release.wheel.name
    artifacts[wheel], changed = put_once(s3, bucket, release.prefix + wheel, release.wheel.read_bytes())
    sent += [wheel] if changed else []
    packaged = pointed_at(release.template, {path: artifacts[name] for path, name in by_path.items()})
    body = yaml.safe_dump(packaged, sort_keys=True, width=1000).encode()
    template, changed = put_once(s3, bucket, release.prefix + "template.yaml", body, "text/yaml")
    return UploadedRelease(template, artifacts, sent + (["template.yaml"] if changed else []))


def put_once(
    s3: Any, bucket: str, key: str, body: bytes, content_type: str = "application/octet-stream"
) -> tuple[S3Location, bool]:
    """Put body at key unless the object there already has its SHA-256; (location, uploaded?)."""
    digest = hashlib.sha256(body).hexdigest()
    current = _head(s3, bucket, key)
    if current is not None and current.get("Metadata", {}).get("sha256") == digest:
        return S3Location(bucket, key, current.get("VersionId")), False
    put = s3.put_object(
        Bucket=bucket, Key=key, Body=body, ContentType=content_type, Metadata={"sha256": digest}
    )
    return S3Location(bucket, key, put.get("VersionId")), True


def _head(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        head: dict[str, Any] = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in MISSING:
            return None
        raise
    return head


# --- the bucket ---------------------------------------------------------------------------
def default_bucket(account_id: str, region: str) -> str:
    return f"codearena-artifacts-{account_id}-{region}"


def ensure_bucket(s3: Any, bucket: str, region: str) -> bool:
    """Create the private, versioned artifacts bucket unless it exists; True when created."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in MISSING:
            raise DeployError(
                f"the artifacts bucket {bucket} exists but this account cannot use it"
                " (another account's, or no permission): pass --artifacts-bucket NAME"
            ) from exc
        _create_bucket(s3, bucket, region)
        return True
    _keep_versions(s3, bucket)
    return False


def _create_bucket(s3: Any, bucket: str, region: str) -> None:
    # us-east-1 is the one region that refuses an explicit LocationConstraint
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **where)
    blocked = dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=blocked)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    # Lambda copies code when a function version is made: old artifact versions are not needed long
    expire = {"NoncurrentVersionExpiration": {"NoncurrentDays": 30}}
    rule = {"ID": "old-artifacts", "Status": "Enabled", "Filter": {"Prefix": "releases/"}, **expire}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})


def _keep_versions(s3: Any, bucket: str) -> None:
    """Object versions are what make a redeploy of the same version update the functions."""
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
