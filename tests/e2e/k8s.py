"""What the Kubernetes tests share: infra/k8s/ rendered as `kubectl apply -k` would, the
vendored schemas it is checked against, and a container's environment as the kubelet makes it.

No cluster and no kustomize here: the render applies the two transformations the
kustomization uses (its namespace, its image), and the environment follows the kubelet's
rules (envFrom first, then env in order; `$(NAME)` expands a variable defined before it,
`$$` is a literal `$`; a resourceFieldRef is the request divided by its divisor, rounded up).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "infra" / "k8s"
SECRET_TEMPLATE = MANIFESTS / "secret.template.yaml"
SCHEMAS = ROOT / "tests" / "k8s_schemas"
KUBERNETES_SCHEMAS = SCHEMAS / "kubernetes" / "v1.35.0-local-strict"
KEDA_CRDS = {
    "ScaledObject": SCHEMAS / "keda" / "v2.20.2" / "keda.sh_scaledobjects.yaml",
    "TriggerAuthentication": SCHEMAS / "keda" / "v2.20.2" / "keda.sh_triggerauthentications.yaml",
}
KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images"}  # what render() applies
Manifest = dict[str, Any]

_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_MILLI = re.compile(r"^(\d+)m$")


def documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def kustomization() -> Manifest:
    loaded: Manifest = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    return loaded


def rendered() -> list[Manifest]:
    """Every resource of the kustomization, in its namespace, with the released image."""
    spec = kustomization()
    unknown = set(spec) - KUSTOMIZE_FIELDS
    assert not unknown, f"render() does not apply {sorted(unknown)}: kubectl would"
    images = {image["name"]: f"{image['newName']}:{image['newTag']}" for image in spec["images"]}
    manifests = [doc for name in spec["resources"] for doc in documents(MANIFESTS / name)]
    for manifest in manifests:
        if manifest["kind"] != "Namespace":
            manifest["metadata"]["namespace"] = spec["namespace"]
        for container in containers(manifest):
            container["image"] = images.get(container["image"], container["image"])
    return manifests


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    [found] = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    return found


def pod_spec(manifest: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = manifest["spec"]["template"]["spec"]
    return spec


def containers(manifest: Manifest) -> Iterator[dict[str, Any]]:
    if manifest["kind"] in ("Deployment", "Job"):
        yield from pod_spec(manifest)["containers"]


# --- schemas ------------------------------------------------------------------------------
def schema_errors(manifest: Manifest) -> list[str]:
    """Where `manifest` breaks the schema of its kind (Kubernetes 1.35 or KEDA 2.20)."""
    validator = _validator(manifest["apiVersion"], manifest["kind"])
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(manifest)]


@cache
def _validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    if kind in KEDA_CRDS:
        return jsonschema.Draft7Validator(_keda_schema(kind))
    definitions = json.loads((KUBERNETES_SCHEMAS / "_definitions.json").read_text())
    path = KUBERNETES_SCHEMAS / f"{kind.lower()}-{api_version.replace('/', '-')}.json"
    schema = json.loads(path.read_text())
    registry: Registry[Any] = Registry().with_resource(
        definitions["$id"], Resource.from_contents(definitions)
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _keda_schema(kind: str) -> dict[str, Any]:
    """The CRD's openAPIV3Schema, with unknown fields refused where the API server refuses
    them (kubectl's default --validate=strict): every object that lists its properties."""
    crd = yaml.safe_load(KEDA_CRDS[kind].read_text())
    [version] = [v for v in crd["spec"]["versions"] if v["storage"]]
    schema: dict[str, Any] = copy.deepcopy(version["schema"]["openAPIV3Schema"])
    _refuse_unknown_fields(schema)
    return schema


def _refuse_unknown_fields(schema: Any) -> None:
    if isinstance(schema, list):
        for item in schema:
            _refuse_unknown_fields(item)
        return
    if not isinstance(schema, dict):
        return
    open_ended = "additionalProperties" in schema or schema.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in schema and not open_ended:
        schema["additionalProperties"] = False
    for key in ("properties",):
        for child in schema.get(key, {}).values():
            _refuse_unknown_fields(child)
    for key in ("items", "additionalProperties", "anyOf", "allOf", "oneOf"):
        _refuse_unknown_fields(schema.get(key))


# --- a container's environment, as the kubelet makes it ------------------------------------
def container_env(container: dict[str, Any], sources: list[Manifest]) -> dict[str, str]:
    """The variables `container` starts with; `sources` holds the ConfigMaps and Secrets."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(_env_source(source, sources))
    for variable in container.get("env", []):
        env[variable["name"]] = _value(variable, container, env)
    return env


def expand(text: str, env: dict[str, str]) -> str:
    """`$(NAME)` → its value when NAME is defined (else left as it is), `$$` → `$`."""
    return _REFERENCE.sub(lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


def command_of(container: dict[str, Any], env: dict[str, str]) -> list[str]:
    return [expand(part, env) for part in container["command"]]


def cpus(quantity: str) -> Decimal:
    """A CPU quantity ("1500m", "2") in CPUs."""
    milli = _MILLI.match(quantity)
    return Decimal(milli.group(1)) / 1000 if milli else Decimal(quantity)


def _env_source(source: dict[str, Any], sources: list[Manifest]) -> dict[str, str]:
    if "configMapRef" in source:
        data: dict[str, str] = find(sources, "ConfigMap", source["configMapRef"]["name"])["data"]
        return data
    secret: dict[str, str] = find(sources, "Secret", source["secretRef"]["name"])["stringData"]
    return secret


def _value(variable: dict[str, Any], container: dict[str, Any], env: dict[str, str]) -> str:
    if "value" in variable:
        return expand(variable["value"], env)
    field = variable["valueFrom"]["resourceFieldRef"]
    assert field["containerName"] == container["name"], "another container's resources"
    kind, resource = field["resource"].split(".")
    assert resource == "cpu", "only CPU quantities are modelled here"
    requested = cpus(container["resources"][kind][resource])
    return str(math.ceil(requested / cpus(field.get("divisor", "1"))))
