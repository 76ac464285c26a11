"""infra/k8s/: valid by the schemas of Kubernetes 1.35 and KEDA 2.20, wired as the workloads
need, and every command its containers run works here as a real process with the environment
the kubelet would give it.

There is no cluster here (and no network but the package indexes): the manifests are checked
against the vendored schemas (tests/k8s_schemas/, Apache-2.0), the Redis signals the
ScaledObject's triggers read are checked on a real Redis with the project's own queue, and
migrate, the gateway and a judge run as the pods would run them, against a Redis that
demands the Secret's password."""

from __future__ import annotations

import copy
import functools
import math
import random
import re
import secrets
import shutil
import signal
import subprocess
import time
import tomllib
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis

from codearena import keys
from codearena.config import ConfigError, Settings
from codearena.core import Core
from codearena.queue import Job, JobQueue
from codearena_cli import commands
from codearena_cli.devservers import create_database
from codearena_cli.entry import _parser
from judge_host.instances import sandbox_options
from local_gateway.config import GatewayConfig
from sandbox.docker import daemon as docker_daemon
from tests.conftest import drop_database, with_database
from tests.e2e.cloud import local_argv, submit_a_plus_b, verdict_in_postgres, wait_until_up
from tests.e2e.conftest import LOGS, Process, free_port
from tests.e2e.k8s import (
    ROOT,
    SECRET_TEMPLATE,
    Manifest,
    command_of,
    container_env,
    containers,
    cpus,
    documents,
    find,
    kustomization,
    pod_spec,
    rendered,
    schema_errors,
)
from tests.e2e.test_app_image import Container, build_image

SETTINGS = "codearena-settings"
SECRETS = "codearena-secrets"
COMPOSED = {"REDIS_ADDRESS", "REDIS_PASSWORD"}  # not read by the code: REDIS_URL is built from them
# The redis-streams scaler's parameters (KEDA v2.20.2, pkg/scalers/redis_streams_scaler.go and
# redis_scaler.go): trigger metadata is a free map, so the schema cannot catch a typo there.
REDIS_STREAMS_PARAMETERS = {
    "lagCount", "pendingEntriesCount", "streamLength", "stream", "consumerGroup",
    "databaseIndex", "activationLagCount", "enableTLS", "unsafeSsl",
    *(f"{name}{suffix}" for name in ("address", "addresses", "host", "hosts", "port", "ports",
                                     "username", "password") for suffix in ("", "FromEnv")),
}  # fmt: skip


def manifests() -> list[Manifest]:
    """The rendered kustomization: a copy of it parsed once (parsing the YAML took 20 ms, and the
    lag test reads the triggers on each of its 399 steps), so a test may change what it gets."""
    return copy.deepcopy(_rendered_once())


@functools.cache
def _rendered_once() -> list[Manifest]:
    return rendered()


def secret_template() -> Manifest:
    [secret] = documents(SECRET_TEMPLATE)
    return secret


def filled_secret(**values: str) -> Manifest:
    """The Secret as an operator fills the template in."""
    secret = secret_template()
    assert set(values) == set(secret["stringData"])
    secret["stringData"] = values
    return secret


def strong_secret() -> Manifest:
    return filled_secret(
        DATABASE_URL="postgresql://codearena:pw@db.example:5432/codearena?sslmode=require",
        REDIS_PASSWORD=secrets.token_hex(16),
        CODEARENA_JWT_SECRET=secrets.token_urlsafe(48),
    )


def workload(name: str) -> Manifest:
    [found] = [m for m in manifests() if m["kind"] in ("Deployment", "Job") and m["metadata"]["name"] == name]
    return found


def only_container(manifest: Manifest) -> dict[str, Any]:
    [container] = containers(manifest)
    return container


def environment(name: str, secret: Manifest) -> dict[str, str]:
    return container_env(only_container(workload(name)), [*manifests(), secret])


WORKLOADS = ("codearena-migrate", "codearena-gateway", "codearena-judge")


# --- the schemas --------------------------------------------------------------------------------
def test_every_manifest_follows_its_kubernetes_or_keda_schema() -> None:
    checked = [*manifests(), secret_template()]
    assert sorted(m["kind"] for m in checked) == [
        "ConfigMap", "Deployment", "Deployment", "Job", "Namespace", "ScaledObject", "Secret",
        "Service", "TriggerAuthentication",
    ]  # fmt: skip
    for manifest in checked:
        assert schema_errors(manifest) == [], (manifest["kind"], manifest["metadata"]["name"])


def test_the_schemas_catch_a_typo() -> None:
    judge = copy.deepcopy(workload("codearena-judge"))
    only_container(judge)["securityContext"]["privilegd"] = True
    only_container(judge)["ports"] = [{"containerPort": "8000"}]
    scaler = copy.deepcopy(find(manifests(), "ScaledObject", "codearena-judge"))
    scaler["spec"]["minReplicas"] = 0  # the HPA's name; KEDA's is minReplicaCount
    scaler["spec"]["triggers"][0]["metadata"]["lagCount"] = 6
    assert sorted(error.split(":")[0] for error in schema_errors(judge)) == [
        "['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort']",
        "['spec', 'template', 'spec', 'containers', 0, 'securityContext']",
    ]
    assert sorted(error.split(":")[0] for error in schema_errors(scaler)) == [
        "['spec', 'triggers', 0, 'metadata', 'lagCount']",
        "['spec']",
    ]


def test_the_render_puts_everything_in_one_namespace_with_the_released_image() -> None:
    spec = kustomization()
    namespace = find(manifests(), "Namespace", spec["namespace"])
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    assert {m["metadata"].get("namespace") for m in manifests() if m["kind"] != "Namespace"} == {
        spec["namespace"]
    }
    assert secret_template()["metadata"]["namespace"] == spec["namespace"]
    assert "secret.template.yaml" not in spec["resources"]  # its placeholders would overwrite the real one
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    [image] = spec["images"]
    assert (image["name"], image["newTag"]) == ("codearena/app", version)
    for name in WORKLOADS:
        assert only_container(workload(name))["image"] == f"{image['newName']}:{version}", name


# --- what the workloads run and read -----------------------------------------------------------
def test_the_containers_run_commands_the_codearena_cli_accepts() -> None:
    handlers = {}
    for name in WORKLOADS:
        env = environment(name, strong_secret())
        argv = command_of(only_container(workload(name)), env)
        assert argv[0] == "codearena", name
        handlers[name] = _parser().parse_args(argv[1:])
    assert handlers["codearena-migrate"].handler is commands.migrate
    assert handlers["codearena-gateway"].handler is commands.gateway
    assert (handlers["codearena-gateway"].host, handlers["codearena-gateway"].port) == ("0.0.0.0", 8000)
    judge = handlers["codearena-judge"]
    assert (judge.handler, judge.boxes, judge.instance, judge.once) == (commands.judge, 2, 0, False)
    assert sandbox_options(judge.instance, environ={}) == {}  # the sandbox's own uids, root and cgroup


def test_every_workload_reads_the_settings_and_the_secret_the_same_way() -> None:
    secret = strong_secret()
    values, config = secret["stringData"], find(manifests(), "ConfigMap", SETTINGS)["data"]
    for name in WORKLOADS:
        env = environment(name, secret)
        settings = Settings.from_env(env)
        assert settings.production, name
        assert settings.database_url == settings.migration_database_url == values["DATABASE_URL"]
        assert settings.redis_url == f"redis://:{values['REDIS_PASSWORD']}@{config['REDIS_ADDRESS']}/0"
        assert settings.jwt_secret == values["CODEARENA_JWT_SECRET"]
        assert settings.token_ttl_seconds == int(config["CODEARENA_TOKEN_TTL_SECONDS"])
        assert settings.submit_rate_per_minute == int(config["CODEARENA_SUBMIT_RATE_PER_MINUTE"])
        assert settings.max_pending_submissions == int(config["CODEARENA_MAX_PENDING_SUBMISSIONS"])
        assert GatewayConfig.from_env(env).trusted_proxy_hops == 1, name


def test_the_settings_are_variables_the_code_reads() -> None:
    read = set()
    for source in ("layers/codearena/config.py", "functions/local_gateway/config.py"):
        read |= set(re.findall(r'"((?:CODEARENA|DATABASE|REDIS)_[A-Z_]+)"', (ROOT / source).read_text()))
    config = set(find(manifests(), "ConfigMap", SETTINGS)["data"])
    secret = set(secret_template()["stringData"])
    assert (config | secret) - COMPOSED <= read
    assert {"DATABASE_URL", "CODEARENA_JWT_SECRET"} <= secret and "REDIS_URL" in read
    assert not config & secret


def test_the_unfilled_template_cannot_run_in_production() -> None:
    env = environment("codearena-gateway", secret_template())
    with pytest.raises(ConfigError, match="CODEARENA_JWT_SECRET must be at least 32 random characters"):
        Settings.from_env(env)


# --- the judges ---------------------------------------------------------------------------------
def test_the_judge_gets_the_sandbox_privileges_and_a_node_of_its_own() -> None:
    judge = workload("codearena-judge")
    spec, container = pod_spec(judge), only_container(judge)
    assert container["securityContext"] == {
        "privileged": True,
        "seccompProfile": {"type": "Unconfined"},
        "appArmorProfile": {"type": "Unconfined"},
    }
    assert "securityContext" not in spec  # root: the sandbox gives each box its own uid
    labels = judge["spec"]["template"]["metadata"]["labels"]
    [one_per_node] = spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert one_per_node == {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": labels}}
    [toleration] = spec["tolerations"]
    assert spec["nodeSelector"] == {toleration["key"]: toleration["value"]}
    assert (toleration["operator"], toleration["effect"]) == ("Equal", "NoSchedule")
    assert spec["terminationGracePeriodSeconds"] == 900  # a drain finishes the judging in hand
    assert spec["automountServiceAccountToken"] is False
    assert "replicas" not in judge["spec"]  # KEDA's HPA owns the number
    assert "limits" not in container["resources"]  # a CPU quota would skew time limits


def test_the_judges_scale_on_the_submission_queue() -> None:
    scaler = find(manifests(), "ScaledObject", "codearena-judge")["spec"]
    judge = only_container(workload("codearena-judge"))
    env = environment("codearena-judge", strong_secret())
    assert scaler["scaleTargetRef"] == {"name": "codearena-judge", "envSourceContainerName": judge["name"]}
    assert (scaler["minReplicaCount"], scaler["maxReplicaCount"]) == (0, 50)
    waiting, in_flight, runs = scaler["triggers"]
    streams = {"waiting": (keys.QUEUE, keys.QUEUE_GROUP), "in-flight": (keys.QUEUE, keys.QUEUE_GROUP)}
    streams["runs"] = (keys.INVOCATION_QUEUE, keys.INVOCATION_GROUP)
    for trigger in (waiting, in_flight, runs):
        metadata = trigger["metadata"]
        assert trigger["type"] == "redis-streams"
        assert set(metadata) <= REDIS_STREAMS_PARAMETERS, sorted(set(metadata) - REDIS_STREAMS_PARAMETERS)
        assert (keys.PREFIX + metadata["stream"], metadata["consumerGroup"]) == streams[trigger["name"]]
        assert env[metadata["addressFromEnv"]] == "redis:6379"
        assert trigger["authenticationRef"] == {"name": "codearena-redis"}
    boxes = int(env["JUDGE_BOXES"])
    assert boxes == math.ceil(cpus(judge["resources"]["requests"]["cpu"])) == 2
    assert waiting["metadata"]["lagCount"] == str(backlog_per_pod(boxes))
    assert waiting["metadata"]["activationLagCount"] == "0"  # one waiting submission wakes a judge
    assert in_flight["metadata"]["pendingEntriesCount"] == str(boxes)  # a pod holds one job per box
    assert runs["metadata"]["lagCount"] == str(
        backlog_per_pod(1, "run-acceptable-wait-seconds", "mean-run-seconds")
    )
    assert scaler["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": 900
    }


def backlog_per_pod(
    workers: int, wait_note: str = "acceptable-wait-seconds", mean_note: str = "mean-judging-seconds"
) -> int:
    """Acceptable wait ÷ mean time × workers (a pod's boxes, or its one invocation worker),
    from the ScaledObject's annotations."""
    notes = find(manifests(), "ScaledObject", "codearena-judge")["metadata"]["annotations"]
    wait = Decimal(notes["codearena.dev/" + wait_note])
    mean = Decimal(notes["codearena.dev/" + mean_note])
    return max(1, math.floor(wait / mean * workers))


def test_keda_logs_in_to_redis_with_the_secret_the_workloads_use() -> None:
    auth = find(manifests(), "TriggerAuthentication", "codearena-redis")["spec"]
    [password] = auth["secretTargetRef"]
    assert password == {"parameter": "password", "name": SECRETS, "key": "REDIS_PASSWORD"}
    assert "REDIS_PASSWORD" in secret_template()["stringData"]


# --- the gateway and the migration ------------------------------------------------------------
def test_the_gateway_and_the_migration_run_as_restricted_pods() -> None:
    for name in ("codearena-gateway", "codearena-migrate"):
        spec, container = pod_spec(workload(name)), only_container(workload(name))
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }, name
        assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}], name
        assert spec["volumes"] == [{"name": "tmp", "emptyDir": {}}], name
        assert spec["automountServiceAccountToken"] is False, name


def test_one_gateway_serves_the_websockets_and_runs_the_fan_out() -> None:
    gateway = workload("codearena-gateway")
    assert gateway["spec"]["replicas"] == 1  # its fan-out delivers to its own sockets only
    assert gateway["spec"]["strategy"] == {"type": "Recreate"}
    commands_run = [only_container(workload(name))["command"][:2] for name in WORKLOADS]
    assert ["codearena", "fanout"] not in commands_run
    service = find(manifests(), "Service", "codearena-gateway")["spec"]
    assert service["selector"] == gateway["spec"]["template"]["metadata"]["labels"]
    [port] = only_container(gateway)["ports"]
    assert service["ports"] == [{"name": "http", "port": 80, "targetPort": port["name"]}]
    assert port["containerPort"] == 8000


def test_each_deployment_selects_its_own_pods() -> None:
    for name in ("codearena-gateway", "codearena-judge"):
        deployment = workload(name)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"] == {"matchLabels": labels}, name
        assert labels["app.kubernetes.io/component"] == name.removeprefix("codearena-"), name


# --- the signals the triggers read, on a real Redis ---------------------------------------------
def group_state(client: redis.Redis) -> tuple[int | None, int]:
    """(lag, pending) of the stream and group the ScaledObject's two submission triggers name
    (under this test session's key prefix), as they read them: XINFO GROUPS lag (None: Redis
    cannot tell) and the XPENDING count."""
    waiting, in_flight, _runs = (
        t["metadata"] for t in find(manifests(), "ScaledObject", "codearena-judge")["spec"]["triggers"]
    )
    stream = keys.PREFIX + waiting["stream"]
    [group] = [g for g in client.xinfo_groups(stream) if g["name"] == waiting["consumerGroup"]]
    pending = client.xpending(keys.PREFIX + in_flight["stream"], in_flight["consumerGroup"])["pending"]
    return group["lag"], int(pending)


def test_the_lag_counts_what_waits_and_the_pending_count_what_is_judged(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    queue = JobQueue(client)
    queue.ensure_group()
    rng = random.Random(13)
    held: list[Job] = []
    states = []
    for submission_id in range(1, 400):
        for _ in range(rng.randint(0, 2)):
            queue.enqueue(submission_id * 10 + _)
        while len(held) < 4 and (job := queue.claim("judge-a", block_ms=None, lease_ms=60_000)):
            held.append(job)
        if held and rng.random() < 0.9:  # judges finish in any order
            queue.ack(held.pop(rng.randrange(len(held))))
        waiting = queue.depth() - len(held)
        lag, pending = group_state(client)
        assert pending == len(held)  # XPENDING: exact, always
        assert lag in (waiting, None)  # XINFO lag: exact, or unknown (KEDA reads -1)
        if not held:
            assert lag == waiting  # so with nothing judged the lag never hides waiting work
        states.append(lag)
    client.close()
    assert None in states  # acknowledged-and-deleted entries ahead of older ones hide the lag


def test_claimed_jobs_leave_the_lag_and_the_lag_can_be_unknown(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    queue = JobQueue(client)
    queue.ensure_group()
    for submission_id in (1, 2, 3):
        queue.enqueue(submission_id)
    first = queue.claim("judge-a", block_ms=1, lease_ms=60_000)
    second = queue.claim("judge-a", block_ms=1, lease_ms=60_000)
    assert first and second
    assert group_state(client) == (1, 2)  # the waiting trigger alone would remove judging pods
    queue.ack(second)
    assert group_state(client) == (None, 1)  # one waits, but Redis cannot say: XPENDING still can
    queue.ack(first)
    assert group_state(client) == (1, 0)
    third = queue.claim("judge-a", block_ms=1, lease_ms=60_000)
    assert third
    queue.ack(third)
    assert group_state(client) == (0, 0)  # both triggers inactive: scale to zero after cooldown
    client.close()


# --- the containers' commands, run here ---------------------------------------------------------
@pytest.fixture
def password_redis() -> Iterator[tuple[str, str]]:
    """A Redis that refuses clients without its password: (address, password)."""
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (apt-get install redis-server)"
    port, password = free_port(), secrets.token_hex(16)
    argv = [server, "--bind", "127.0.0.1", "--port", str(port), "--requirepass", password]
    process = subprocess.Popen([*argv, "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port, password=password)
    deadline = time.monotonic() + 10
    while not _answers(client):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield f"127.0.0.1:{port}", password
    client.close()
    process.terminate()
    process.wait(10)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def empty_database_url(settings: Settings) -> Iterator[str]:
    server_url = with_database(settings.database_url, "postgres")
    name = "codearena_k8s_" + uuid.uuid4().hex[:10]
    create_database(server_url, name)
    yield with_database(settings.database_url, name)
    drop_database(server_url, name)


def pod_env(name: str, database_url: str, redis_address: str, redis_password: str) -> dict[str, str]:
    """What Kubernetes sets in the container, the Secret filled in for this machine's services."""
    config = copy.deepcopy(find(manifests(), "ConfigMap", SETTINGS))
    config["data"]["REDIS_ADDRESS"] = redis_address
    secret = filled_secret(
        DATABASE_URL=database_url,
        REDIS_PASSWORD=redis_password,
        CODEARENA_JWT_SECRET=secrets.token_urlsafe(48),
    )
    sources = [config, secret, *(m for m in manifests() if m["kind"] != "ConfigMap")]
    # The test session's Redis key prefix, which the test's own reads use too.
    return container_env(only_container(workload(name)), sources) | {"CODEARENA_REDIS_PREFIX": keys.PREFIX}


def image_env(env: dict[str, str]) -> dict[str, str]:
    """`env` over what infra/docker/Dockerfile's ENV sets (PATH with the venv first) and the
    runtime adds (root's HOME), for the command run as a process of this checkout."""
    venv = Path(local_argv(["python"])[0]).parent
    image = {"PATH": f"{venv}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
    return {**image, "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", **env}


def run_as_pod(name: str, env: dict[str, str], extra: tuple[str, ...] = ()) -> Process:
    """The container's command as a process of this checkout. As this machine's root: the
    checkout's Python is not reachable by the pods' uid 10001 here, so the image test below
    runs the gateway as that user, in the image, with a read-only root."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"k8s-{name}-{uuid.uuid4().hex[:8]}.log"
    argv = [*local_argv(command_of(only_container(workload(name)), env)), *extra]
    with log.open("wb") as handle:
        popen = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    return Process(name, popen, log)


@pytest.mark.timeout(420)
def test_migrate_then_the_gateway_and_a_judge_as_the_pods_run_them_judge_a_submission(
    settings: Settings, empty_database_url: str, password_redis: tuple[str, str]
) -> None:
    address, password = password_redis
    env = {name: image_env(pod_env(name, empty_database_url, address, password)) for name in WORKLOADS}
    migrate = run_as_pod("codearena-migrate", env["codearena-migrate"])
    assert migrate.popen.wait(120) == 0, migrate.output()
    assert "applied" in migrate.output()
    port = free_port()
    gateway = run_as_pod("codearena-gateway", env["codearena-gateway"], ("--port", str(port)))
    judge = run_as_pod("codearena-judge", env["codearena-judge"])
    core = Core.from_settings(Settings(empty_database_url, settings.redis_url, settings.jwt_secret))
    queue = redis.Redis.from_url(env["codearena-judge"]["REDIS_URL"], decode_responses=True)
    base_url = f"http://127.0.0.2:{port}"  # reaches a server bound to 0.0.0.0 only
    try:
        wait_until_up(base_url, timeout_s=90)
        verdict, host = verdict_in_postgres(empty_database_url, submit_a_plus_b(base_url, core))
        signals = group_state(queue)
    finally:
        core.close()
        queue.close()
        gateway_code, judge_code = gateway.stop(), judge.stop()
    assert (verdict, host.endswith("-i0")) == ("AC", True), judge.output()
    assert "judge host" in judge.output() and ": 2 boxes" in judge.output(), judge.output()
    assert signals == (0, 0)  # what KEDA reads now: nothing waits, nothing is judged
    assert judge_code == 0, judge.output()
    assert gateway_code in (0, -signal.SIGTERM), gateway.output()


# --- the pods' security contexts, in the image ---------------------------------------------------
class PodContainer(Container):
    """A container of the image run as the pod's user (Container runs the image's, root)."""

    def __init__(
        self, client: Any, image: str, command: list[str], host_config: Any, env: dict[str, str], user: str
    ) -> None:
        self.client = client
        created = client.api.create_container(
            image, command, host_config=host_config, environment=env, user=user
        )
        self.id = created["Id"]
        client.api.start(self.id)


def docker_options(name: str) -> tuple[str, dict[str, Any]]:
    """The pod's security context as Docker Engine options (what containerd gets from the
    kubelet): runAsUser/Group → the user, readOnlyRootFilesystem → read_only, the /tmp
    emptyDir → a tmpfs, capabilities.drop → cap_drop, allowPrivilegeEscalation false →
    no-new-privileges, RuntimeDefault seccomp → Docker's default profile."""
    spec, container = pod_spec(workload(name)), only_container(workload(name))
    pod, own = spec.get("securityContext", {}), container["securityContext"]
    if own.get("privileged"):
        return "0:0", {"privileged": True}
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"} and own["allowPrivilegeEscalation"] is False
    return f"{pod['runAsUser']}:{pod['runAsGroup']}", {
        "read_only": own["readOnlyRootFilesystem"],
        "tmpfs": {mount["mountPath"]: "" for mount in container["volumeMounts"]},
        "cap_drop": own["capabilities"]["drop"],
        "security_opt": ["no-new-privileges"],
    }


def start_in_image(
    client: Any, image: str, name: str, env: dict[str, str], extra: tuple[str, ...] = ()
) -> Container:
    user, options = docker_options(name)
    # The private dockerd has no bridge: the containers share the host's network.
    host_config = client.api.create_host_config(network_mode="host", **options)
    command = [*command_of(only_container(workload(name)), env), *extra]
    return PodContainer(client, image, command, host_config, env, user)


@pytest.mark.timeout(1800 + 300)  # a first build of the image takes minutes (test_app_image.py)
def test_in_the_image_migrate_and_the_gateway_run_as_uid_10001_on_a_read_only_root(
    settings: Settings, empty_database_url: str, password_redis: tuple[str, str]
) -> None:
    """The judge's `privileged` cannot be tried here: this machine's bounding set lacks
    CAP_SYS_RESOURCE, so no privileged container starts (runc: "unable to apply caps");
    test_app_image.py runs a judge in the image with compose's narrower list instead."""
    address, password = password_redis
    env = {name: pod_env(name, empty_database_url, address, password) for name in WORKLOADS}
    with docker_daemon.client(timeout_s=120) as client:
        built = build_image()
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
        image = built.stdout.strip().splitlines()[-1]
        migrate = start_in_image(client, image, "codearena-migrate", env["codearena-migrate"])
        migrated = int(client.api.wait(migrate.id, timeout=120)["StatusCode"])
        migrate_logs = migrate.logs()
        migrate.remove()
        assert (migrated, "applied" in migrate_logs) == (0, True), migrate_logs
        port = free_port()
        gateway = start_in_image(
            client, image, "codearena-gateway", env["codearena-gateway"], ("--port", str(port))
        )
        core = Core.from_settings(Settings(empty_database_url, settings.redis_url, settings.jwt_secret))
        try:
            wait_until_up(f"http://127.0.0.1:{port}", timeout_s=90)
            submitted = submit_a_plus_b(f"http://127.0.0.1:{port}", core)  # sign-ups, a contest, a submission
            queued = redis.Redis.from_url(env["codearena-gateway"]["REDIS_URL"], decode_responses=True)
            waiting = (queued.xlen(keys.QUEUE), queued.xinfo_groups(keys.QUEUE))
            queued.close()
            gateway_code = gateway.stop()
            gateway_logs = gateway.logs()
        finally:
            core.close()
            gateway.remove()
    # Queued in the Redis that wants the password. No judge has created the group yet: KEDA's
    # lag trigger counts XLEN then, and so wakes the first judge from zero.
    assert submitted > 0 and waiting == (1, []), gateway_logs
    assert gateway_code in (0, 128 + signal.SIGTERM), gateway_logs
