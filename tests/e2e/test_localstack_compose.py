"""localstack-compose.yml: valid by the Compose Specification's schema, wired as the local cloud
needs, and every command its containers run works here as a real process.

Nothing in the file can be pulled on these machines (no Docker Hub), so the file is checked
against the schema (vendored in tests/e2e/compose_spec/, Apache-2.0: the docker CLI here has
no compose plugin and Debian 12's docker-compose is the old v1) and its commands run against
the local PostgreSQL and Redis: migrate, the gateway on 0.0.0.0, a judge host, and the
LocalStack deploy script's pieces (the function zip run as Lambda would, its AWS calls
against a moto server)."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import jsonschema
import psycopg2
import pytest

from codearena import keys
from codearena.config import Settings
from codearena.core import Core
from codearena_cli.devservers import create_database
from tests.conftest import drop_database, service_env, with_database
from tests.e2e.cloud import (
    COMPOSE_FILE,
    ROOT,
    compose,
    local_argv,
    service,
    submit_a_plus_b,
    verdict_in_postgres,
    wait_until_up,
)
from tests.e2e.conftest import LOGS, Process, free_port

SCHEMA = Path(__file__).parent / "compose_spec" / "compose-spec.json"
APP_SERVICES = ("migrate", "gateway", "judge-1", "judge-2", "localstack-deploy")
JUDGES = ("judge-1", "judge-2")
DEPLOY = ROOT / "infra" / "localstack" / "deploy.py"
BUNDLE_SECONDS = 240


def schema_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA.read_text())
    return [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(document)]


def test_the_compose_file_follows_the_compose_specification() -> None:
    assert schema_errors(compose()) == []
    broken = copy.deepcopy(compose())
    broken["services"]["postgres"]["privilegd"] = True  # the schema does catch a typo
    broken["services"]["migrate"]["depends_on"]["postgres"]["condition"] = "service_done"
    errors = schema_errors(broken)
    assert sorted(error.split(":")[0] for error in errors) == [
        "['services', 'migrate', 'depends_on']",
        "['services', 'postgres']",
    ], errors


def test_the_services_of_the_local_cloud_and_their_order() -> None:
    services = compose()["services"]
    assert set(services) == {"localstack", "postgres", "redis", *APP_SERVICES}
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    after_migrate = {
        "migrate": {"condition": "service_completed_successfully"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("gateway", *JUDGES):
        assert services[name]["depends_on"] == after_migrate, name
    deploy_waits_for = services["localstack-deploy"]["depends_on"]
    assert deploy_waits_for["localstack"] == {"condition": "service_healthy"}
    assert deploy_waits_for["migrate"] == {"condition": "service_completed_successfully"}
    for name in ("localstack", "postgres", "redis", "gateway"):  # what others wait on is checked
        assert services[name]["healthcheck"]["test"][0] == "CMD", name


def test_the_app_containers_share_one_image_built_from_the_repository() -> None:
    dockerfile = ROOT / "infra" / "docker" / "Dockerfile"
    for name in APP_SERVICES:
        assert service(name)["build"] == {"context": ".", "dockerfile": "infra/docker/Dockerfile"}, name
        assert service(name)["image"] == "codearena/app:local", name
    # A developer builds on Debian's public image; `make app-image` passes the local base.
    assert "ARG BASE_IMAGE=debian:bookworm-slim\nFROM ${BASE_IMAGE}\n" in dockerfile.read_text()


def test_the_containers_reach_the_services_by_name_and_share_one_signing_secret() -> None:
    environments = [service(name)["environment"] for name in APP_SERVICES]
    for environment in environments:
        assert environment["DATABASE_URL"] == "postgresql://codearena:codearena@postgres:5432/codearena"
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert len({environment["CODEARENA_JWT_SECRET"] for environment in environments}) == 1
    postgres = service("postgres")["environment"]
    assert (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"]) == (
        "codearena",
    ) * 3


def test_postgres_speaks_tls_and_redis_never_evicts() -> None:
    command = service("postgres")["command"]
    assert command[:3] == ["postgres", "-c", "ssl=on"]  # sslmode=require, as through RDS Proxy
    redis_command = service("redis")["command"]
    assert redis_command[redis_command.index("--maxmemory-policy") + 1] == "noeviction"


def test_localstack_runs_lambdas_on_the_compose_network_with_an_optional_token() -> None:
    localstack = service("localstack")
    assert localstack["image"] == "localstack/localstack:${LOCALSTACK_VERSION:-4.14.0}"
    assert localstack["environment"]["LOCALSTACK_AUTH_TOKEN"] == "${LOCALSTACK_AUTH_TOKEN:-}"
    assert localstack["environment"]["LAMBDA_DOCKER_NETWORK"] == compose()["networks"]["default"]["name"]
    assert "/var/run/docker.sock:/var/run/docker.sock" in localstack["volumes"]
    deploy = service("localstack-deploy")
    assert deploy["environment"]["AWS_ENDPOINT_URL"] == "http://localstack:4566"
    assert deploy["command"][:3] == ["python", "infra/localstack/deploy.py", "deploy"]


def test_judges_get_what_the_sandbox_needs_and_their_own_instances() -> None:
    instances = set()
    for name in JUDGES:
        judge = service(name)
        assert judge.get("privileged") is not True  # it would ask for CAP_SYS_RESOURCE too
        assert judge["cap_add"] == ["SYS_ADMIN", "SYS_PTRACE"]
        assert judge["security_opt"] == [
            "seccomp=unconfined",
            "apparmor=unconfined",
            "systempaths=unconfined",
        ]
        assert judge["cgroup"] == "host"
        assert judge["volumes"] == ["/sys/fs/cgroup:/sys/fs/cgroup:rw"]
        assert judge["command"][:2] == ["codearena", "judge"]
        instances.add(judge["command"][judge["command"].index("--instance") + 1])
    assert len(instances) == len(JUDGES)  # no two judges share a box uid


def test_only_loopback_ports_are_published() -> None:
    published = {name: s.get("ports", []) for name, s in compose()["services"].items()}
    assert published["gateway"] == ["127.0.0.1:8000:8000"]
    assert published["localstack"] == ["127.0.0.1:4566:4566"]
    for name, ports in published.items():
        assert all(port.startswith("127.0.0.1:") for port in ports), name


# --- the containers' commands, run here ---------------------------------------------------------
@pytest.fixture
def empty_database_url(settings: Settings) -> Iterator[str]:
    """A database nothing has migrated yet: the `migrate` service's starting point."""
    server_url = with_database(settings.database_url, "postgres")
    name = "codearena_compose_" + uuid.uuid4().hex[:10]
    create_database(server_url, name)
    yield with_database(settings.database_url, name)
    drop_database(server_url, name)


def spawn_command(name: str, argv: list[str], env: dict[str, str]) -> Process:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"compose-{name}-{uuid.uuid4().hex[:8]}.log"
    with log.open("wb") as handle:
        popen = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    return Process(name, popen, log)


def test_migrate_then_the_gateway_on_all_addresses_then_a_judge_host_judge_a_submission(
    settings: Settings, empty_database_url: str
) -> None:
    env = {**service_env(settings), "DATABASE_URL": empty_database_url}
    migrate = subprocess.run(
        local_argv(service("migrate")["command"]), env=env, cwd=ROOT, capture_output=True
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert b"applied" in migrate.stdout
    port = free_port()
    gateway = spawn_command("gateway", [*local_argv(service("gateway")["command"]), "--port", str(port)], env)
    judge = spawn_command("judge-1", local_argv(service("judge-1")["command"]), env)
    core = Core.from_settings(Settings(empty_database_url, settings.redis_url, settings.jwt_secret))
    try:
        # 127.0.0.2 reaches a server bound to 0.0.0.0, never one bound to 127.0.0.1 only.
        base_url = f"http://127.0.0.2:{port}"
        wait_until_up(base_url)
        sid = submit_a_plus_b(base_url, core)
        verdict, host = verdict_in_postgres(empty_database_url, sid)
    finally:
        core.close()
        gateway_code, judge_code = gateway.stop(), judge.stop()
    assert (verdict, host.endswith("-i1")) == ("AC", True), judge.output()
    assert judge_code == 0, judge.output()
    assert gateway_code in (0, -signal.SIGTERM), gateway.output()  # uvicorn re-raises SIGTERM once stopped


# --- the LocalStack deploy script's pieces ----------------------------------------------------
@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`deploy.py bundle`, as the localstack-deploy service runs it (needs the package index)."""
    output = tmp_path_factory.mktemp("bundle") / "function.zip"
    argv = [sys.executable, str(DEPLOY), "bundle", "--output", str(output)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=BUNDLE_SECONDS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(output)
    return output


def test_the_function_zip_holds_the_app_the_core_and_its_compiled_dependencies(bundle: Path) -> None:
    names = set(zipfile.ZipFile(bundle).namelist())
    assert {"app.py", "chalicelib/api.py", "chalice/app.py", "codearena/core.py", "codearena/db.py"} <= names
    assert any(name.startswith("psycopg2/_psycopg.cpython-311-x86_64-linux-gnu") for name in names)
    assert any(name.startswith("_argon2_cffi_bindings/") for name in names)
    assert not any(name.startswith(("boto3/", "botocore/")) for name in names)  # Lambda provides them


LAMBDA_RUNTIME_PACKAGES = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "urllib3", "six.py")
INVOKE = """
import json, sys
import app

def event(method, path, body):
    return {
        "resource": path, "path": path, "httpMethod": method, "body": json.dumps(body),
        "headers": {"content-type": "application/json"}, "multiValueHeaders": {},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None, "stageVariables": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": path, "httpMethod": method, "stage": "api", "path": "/api" + path,
                           "requestId": "test", "identity": {"sourceIp": "198.51.100.7"}},
    }

credentials = {"username": "lambda-user", "password": "a long lambda passphrase"}
registered = app.app(event("POST", "/auth/register", credentials), None)
logged_in = app.app(event("POST", "/auth/login", credentials), None)
modules = {name: sys.modules[name].__file__ for name in ("codearena", "psycopg2", "argon2")}
token = json.loads(logged_in["body"]).get("token")
print(json.dumps({"modules": modules, "register": registered["statusCode"],
                  "login": logged_in["statusCode"], "token": token}))
"""


def lambda_like_path(bundle: Path, directory: Path) -> str:
    """The zip unpacked where Lambda puts it, and the runtime's boto3 beside it: nothing else."""
    task = directory / "task"
    zipfile.ZipFile(bundle).extractall(task)
    runtime = directory / "runtime"
    runtime.mkdir()
    site = Path(boto3.__file__).parents[1]
    for package in LAMBDA_RUNTIME_PACKAGES:
        (runtime / package).symlink_to(site / package)
    return f"{task}:{runtime}"


def test_the_function_zip_runs_the_api_with_nothing_else_on_the_path(
    bundle: Path, settings: Settings, tmp_path: Path
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": lambda_like_path(bundle, tmp_path),
        "CODEARENA_ENV": "production",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "CODEARENA_REDIS_PREFIX": keys.PREFIX,
        "CODEARENA_JWT_SECRET": settings.jwt_secret,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    # -S: no site-packages, so the venv's packages cannot stand in for the zip's.
    done = subprocess.run(
        [sys.executable, "-S", "-c", INVOKE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(str(tmp_path / "task") in path for path in seen["modules"].values()), seen["modules"]
    assert (seen["register"], seen["login"]) == (201, 200), seen
    assert seen["token"]
    conn = psycopg2.connect(settings.database_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT role FROM users WHERE username = 'lambda-user'")
            assert cur.fetchone() == ("contestant",)
    finally:
        conn.close()


def deploy_env(endpoint: str, jwt_secret: str) -> dict[str, str]:
    return {
        **os.environ,
        **service("localstack-deploy")["environment"],  # the compose file's own values
        "AWS_ENDPOINT_URL": endpoint,
        "CODEARENA_JWT_SECRET": jwt_secret,
    }


def run_deploy(bundle: Path, env: dict[str, str]) -> dict[str, Any]:
    command = local_argv(service("localstack-deploy")["command"])
    argv = [*command, "--bundle", str(bundle), "--functions-only"]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    deployed: dict[str, Any] = json.loads(done.stdout.splitlines()[0])
    return deployed


def test_the_deploy_puts_secrets_code_and_functions_into_aws(bundle: Path, moto_endpoint: str) -> None:
    first = run_deploy(bundle, deploy_env(moto_endpoint, "first-secret-" + uuid.uuid4().hex))
    second_secret = "second-secret-" + uuid.uuid4().hex
    second = run_deploy(bundle, deploy_env(moto_endpoint, second_secret))  # a rerun updates
    assert first["functions"] == second["functions"]
    assert sorted(second["functions"]) == ["codearena-local-api", "codearena-local-migrate"]
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    secrets = session.client("secretsmanager", endpoint_url=moto_endpoint)
    stored = json.loads(secrets.get_secret_value(SecretId="codearena/local/database")["SecretString"])
    assert stored == {"username": "codearena", "password": "codearena"}  # DATABASE_URL's, RDS's shape
    assert secrets.get_secret_value(SecretId="codearena/local/jwt")["SecretString"] == second_secret
    function = session.client("lambda", endpoint_url=moto_endpoint).get_function(
        FunctionName="codearena-local-api"
    )
    configuration = function["Configuration"]
    assert (configuration["Runtime"], configuration["Handler"]) == ("python3.11", "app.app")
    variables = configuration["Environment"]["Variables"]
    assert variables["CODEARENA_JWT_SECRET_ARN"] == second["secrets"]["codearena/local/jwt"]
    assert variables["CODEARENA_DATABASE_SECRET_ARN"] == second["secrets"]["codearena/local/database"]
    assert (variables["CODEARENA_DATABASE_HOST"], variables["CODEARENA_DATABASE_NAME"]) == (
        "postgres",
        "codearena",
    )
    assert variables["REDIS_URL"] == "redis://redis:6379/0"
    assert variables["CODEARENA_WS_ENDPOINT"] == "http://gateway:8000"
    assert variables["AWS_ENDPOINT_URL"] == moto_endpoint  # the functions' boto3 calls LocalStack too
    assert not any(value in json.dumps(variables) for value in (second_secret, "codearena:codearena@"))
    uploaded = session.client("s3", endpoint_url=moto_endpoint).get_object(
        Bucket="codearena-local-artifacts", Key="releases/local/function.zip"
    )
    assert uploaded["Body"].read() == bundle.read_bytes()


def test_the_rest_api_routes_every_chalice_route_to_the_api_function() -> None:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:codearena-local-api"
    done = subprocess.run(
        [sys.executable, str(DEPLOY), "swagger", "--api-handler-arn", arn],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    swagger = json.loads(done.stdout)
    from app import app as chalice_app  # functions/ is on the path (tests/conftest.py)

    for path, methods in chalice_app.routes.items():
        for method in methods:
            integration = swagger["paths"][path][method.lower()]["x-amazon-apigateway-integration"]
            assert integration["type"] == "aws_proxy" and arn in integration["uri"], (path, method)
    assert swagger["info"]["title"] == "codearena-local"


# --- make localstack ------------------------------------------------------------------------------
FAKE_DOCKER = """#!/bin/sh
echo "$*" >> "$DOCKER_CALLS"
case "$*" in
  "compose version") [ -n "$HAS_COMPOSE" ] || exit 1; echo "Docker Compose version v2.30.0" ;;
  *"ps -aq localstack-deploy") echo c0ffee ;;
  "inspect -f {{.State.ExitCode}} c0ffee") echo "$DEPLOY_EXIT" ;;
esac
"""


def make_localstack(
    tmp_path: Path, has_compose: bool, deploy_exit: int = 0
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`make localstack` with a stand-in `docker` first on PATH that records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    calls = tmp_path / "calls"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "DOCKER_CALLS": str(calls)}
    env.update(HAS_COMPOSE="1" if has_compose else "", DEPLOY_EXIT=str(deploy_exit))
    done = subprocess.run(
        ["make", "--no-print-directory", "localstack"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return done, calls.read_text().splitlines() if calls.exists() else []


def test_make_localstack_brings_the_file_up_and_shows_the_deploy(tmp_path: Path) -> None:
    done, calls = make_localstack(tmp_path, has_compose=True)
    assert done.returncode == 0, done.stdout + done.stderr
    compose_file = f"compose -f {COMPOSE_FILE.name}"
    assert calls == [
        "compose version",
        f"{compose_file} up -d --build",
        f"{compose_file} logs --follow localstack-deploy",
        f"{compose_file} ps -aq localstack-deploy",
        "inspect -f {{.State.ExitCode}} c0ffee",
    ]
    assert "http://127.0.0.1:8000" in done.stdout


def test_make_localstack_fails_when_the_deploy_into_localstack_failed(tmp_path: Path) -> None:
    done, _ = make_localstack(tmp_path, has_compose=True, deploy_exit=1)
    assert done.returncode != 0
    assert "the deploy into LocalStack failed" in done.stderr, done.stderr


def test_make_localstack_without_the_compose_plugin_says_what_it_needs(tmp_path: Path) -> None:
    done, calls = make_localstack(tmp_path, has_compose=False)
    assert done.returncode != 0
    assert "compose plugin" in done.stderr and "internet" in done.stderr, done.stderr
    assert calls == ["compose version"]


def test_the_gateway_healthcheck_is_a_command_that_passes_against_a_gateway(gateway: str) -> None:
    probe = service("gateway")["healthcheck"]["test"][1:]
    probe = [*local_argv(probe[:1]), *probe[1:]]
    port = httpx.URL(gateway).port
    probe[-1] = probe[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    assert subprocess.run(probe, timeout=30).returncode == 0
    probe[-1] = probe[-1].replace(f":{port}", f":{free_port()}")  # and fails when none answers
    assert subprocess.run(probe, timeout=30, capture_output=True).returncode != 0
