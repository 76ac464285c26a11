"""Deploy CodeArena's functions into LocalStack: the `localstack-deploy` service of
localstack-compose.yml, or by hand against any AWS endpoint that boto3 is pointed at.

    python infra/localstack/deploy.py bundle [--output PATH]
    python infra/localstack/deploy.py deploy [--bundle PATH] [--ws-endpoint URL]

`bundle` builds the function zip: chalice's deployment.zip with the core layer's content (the
core and its pinned dependencies, `codearena package --layer`) at the zip's root, because
LocalStack creates layers but does not apply them at run time. It needs the package index.

`deploy` reads its AWS endpoint from AWS_ENDPOINT_URL (boto3 does) and, from its own
environment, what the functions get: DATABASE_URL's user and password become a Secrets
Manager secret in RDS's format and its host, port and name the CODEARENA_DATABASE_*
variables; CODEARENA_JWT_SECRET becomes a secret; REDIS_URL is passed as it is (LocalStack's
free edition has no ElastiCache, and a local Redis has no certificate the system trusts).
Then: the zip into an S3 bucket, a role, one function for the REST API and one per
`@app.lambda_function`, and the REST API (API Gateway v1) from chalice's own swagger. The
WebSocket handlers are not deployed: the free edition has no API Gateway v2, and the local
gateway serves the WebSocket. Every step creates or updates, so a rerun redeploys.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
from botocore.exceptions import ClientError

from codearena_cli.package import CHALICE_BUILD, LAYER_BUILD, write_template

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BUNDLE = ROOT / "build" / "localstack" / "function.zip"
PREFIX = "codearena-local"
BUCKET = f"{PREFIX}-artifacts"
BUNDLE_KEY = "releases/local/function.zip"
DATABASE_SECRET = "codearena/local/database"
JWT_SECRET = "codearena/local/jwt"
STAGE = "api"  # .chalice/config.json's api_gateway_stage, as in AWS
RUNTIME = "python3.11"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


# --- the function zip ------------------------------------------------------------------
def build_bundle(output: Path, root: Path = ROOT) -> Path:
    """deployment.zip's entries plus the layer's python/ tree, in one zip at `output`."""
    with tempfile.TemporaryDirectory(prefix="codearena-localstack-") as scratch:
        write_template(Path(scratch) / "template.yaml", build_layer=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        names = _copy_zip(root / CHALICE_BUILD / "deployment.zip", bundle)
        _add_tree(root / LAYER_BUILD / "python", bundle, names)
    partial.replace(output)
    return output


def _copy_zip(source: Path, bundle: zipfile.ZipFile) -> set[str]:
    with zipfile.ZipFile(source) as deployment:
        for entry in deployment.infolist():
            bundle.writestr(entry, deployment.read(entry))
        return set(deployment.namelist())


def _add_tree(tree: Path, bundle: zipfile.ZipFile, names: set[str]) -> None:
    for path in sorted(tree.rglob("*")):
        name = path.relative_to(tree).as_posix()
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        if name in names:
            raise RuntimeError(f"{name} is both in chalice's deployment.zip and in the core layer")
        bundle.write(path, name)


# --- what the functions are told --------------------------------------------------------
@dataclass(frozen=True)
class Database:
    """DATABASE_URL, split the way the functions are given it in AWS."""

    user: str
    password: str
    host: str
    port: int
    name: str

    @classmethod
    def from_url(cls, url: str) -> Database:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres") or not (parts.hostname and parts.username):
            raise SystemExit(f"DATABASE_URL must be postgresql://USER:PASSWORD@HOST:PORT/NAME, not {url!r}")
        return cls(
            user=unquote(parts.username),
            password=unquote(parts.password or ""),
            host=parts.hostname,
            port=parts.port or 5432,
            name=parts.path.lstrip("/") or "codearena",
        )

    def secret(self) -> str:
        """The RDS-managed master user secret's shape."""
        return json.dumps({"username": self.user, "password": self.password})


def function_environment(
    database: Database, secret_arns: dict[str, str], env: dict[str, str], ws_endpoint: str
) -> dict[str, str]:
    """What the template gives the functions in AWS, pointed at this network's services."""
    variables = {
        "CODEARENA_ENV": "production",
        "CODEARENA_DATABASE_SECRET_ARN": secret_arns[DATABASE_SECRET],
        "CODEARENA_DATABASE_HOST": database.host,
        "CODEARENA_DATABASE_DIRECT_HOST": database.host,
        "CODEARENA_DATABASE_PORT": str(database.port),
        "CODEARENA_DATABASE_NAME": database.name,
        "CODEARENA_JWT_SECRET_ARN": secret_arns[JWT_SECRET],
        "CODEARENA_WS_ENDPOINT": ws_endpoint,
        "REDIS_URL": env["REDIS_URL"],
    }
    if env.get("AWS_ENDPOINT_URL"):  # boto3 in the function talks to LocalStack too
        variables["AWS_ENDPOINT_URL"] = env["AWS_ENDPOINT_URL"]
    return variables


def required(env: dict[str, str], *names: str) -> None:
    missing = [name for name in names if not env.get(name)]
    if missing:
        raise SystemExit(
            f"deploy needs {', '.join(missing)} in its environment (localstack-compose.yml sets them)"
        )


# --- AWS calls ----------------------------------------------------------------------------
class Deployer:
    """One session's clients; each `ensure_*` creates the thing or brings it up to date."""

    def __init__(self, session: boto3.session.Session) -> None:
        self.region = session.region_name or "us-east-1"
        self.s3 = session.client("s3")
        self.iam = session.client("iam")
        self.secrets = session.client("secretsmanager")
        self.lambda_ = session.client("lambda")
        self.apigateway = session.client("apigateway")
        self.account = session.client("sts").get_caller_identity()["Account"]

    def ensure_secret(self, name: str, value: str) -> str:
        try:
            return str(self.secrets.create_secret(Name=name, SecretString=value)["ARN"])
        except self.secrets.exceptions.ResourceExistsException:
            return str(self.secrets.put_secret_value(SecretId=name, SecretString=value)["ARN"])

    def upload(self, bundle: Path) -> None:
        try:
            self.s3.create_bucket(Bucket=BUCKET, **self._bucket_location())
        except (self.s3.exceptions.BucketAlreadyOwnedByYou, self.s3.exceptions.BucketAlreadyExists):
            pass
        self.s3.upload_file(str(bundle), BUCKET, BUNDLE_KEY)

    def _bucket_location(self) -> dict[str, Any]:
        if self.region == "us-east-1":  # the one region that refuses a LocationConstraint
            return {}
        return {"CreateBucketConfiguration": {"LocationConstraint": self.region}}

    def ensure_role(self) -> str:
        name = f"{PREFIX}-lambda"
        try:
            return str(self.iam.get_role(RoleName=name)["Role"]["Arn"])
        except self.iam.exceptions.NoSuchEntityException:
            policy = json.dumps(LAMBDA_TRUST)
            return str(self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy)["Role"]["Arn"])

    def ensure_function(self, name: str, handler: str, role: str, environment: dict[str, str]) -> str:
        settings = {
            "Runtime": RUNTIME,
            "Handler": handler,
            "Role": role,
            "Timeout": 30,
            "MemorySize": 512,
            "Environment": {"Variables": environment},
        }
        code = {"S3Bucket": BUCKET, "S3Key": BUNDLE_KEY}
        try:
            self.lambda_.get_function(FunctionName=name)
        except self.lambda_.exceptions.ResourceNotFoundException:
            arn = self.lambda_.create_function(FunctionName=name, Code=code, **settings)["FunctionArn"]
            self.lambda_.get_waiter("function_active_v2").wait(FunctionName=name)
            return str(arn)
        self.lambda_.update_function_code(FunctionName=name, **code)
        self.lambda_.get_waiter("function_updated_v2").wait(FunctionName=name)
        arn = self.lambda_.update_function_configuration(FunctionName=name, **settings)["FunctionArn"]
        self.lambda_.get_waiter("function_updated_v2").wait(FunctionName=name)
        return str(arn)

    def ensure_rest_api(self, swagger: dict[str, Any]) -> str:
        """The REST API from chalice's swagger (imported, or overwritten), deployed to STAGE."""
        body = json.dumps(swagger).encode()
        existing = [
            api["id"] for api in self.apigateway.get_rest_apis(limit=500)["items"] if api["name"] == PREFIX
        ]
        if existing:
            api_id = existing[0]
            self.apigateway.put_rest_api(restApiId=api_id, mode="overwrite", body=body)
        else:
            api_id = self.apigateway.import_rest_api(body=body)["id"]  # named by info.title
        self.apigateway.create_deployment(restApiId=api_id, stageName=STAGE)
        return str(api_id)

    def allow_api_to_invoke(self, function: str, api_id: str) -> None:
        source = f"arn:aws:execute-api:{self.region}:{self.account}:{api_id}/*"
        try:
            self.lambda_.add_permission(
                FunctionName=function,
                StatementId=f"{PREFIX}-rest-api",
                Action="lambda:InvokeFunction",
                Principal="apigateway.amazonaws.com",
                SourceArn=source,
            )
        except ClientError as exc:  # already granted by an earlier deploy
            if exc.response["Error"]["Code"] != "ResourceConflictException":
                raise


# --- the chalice app ------------------------------------------------------------------------
def load_app(root: Path = ROOT) -> Any:
    """functions/app.py, imported the way Lambda does (app.py and chalicelib/ on the path)."""
    functions = str(root / "functions")
    if functions not in sys.path:
        sys.path.insert(0, functions)
    return importlib.import_module("app").app


def swagger_for(app: Any, region: str, api_handler_arn: str) -> dict[str, Any]:
    from chalice.deploy.swagger import SwaggerGenerator

    swagger: dict[str, Any] = SwaggerGenerator(region, {"api_handler_arn": api_handler_arn}).generate_swagger(
        app
    )
    swagger["info"].update(title=PREFIX, description="CodeArena's REST API, deployed into LocalStack")
    return swagger


def deploy(bundle: Path, ws_endpoint: str, env: dict[str, str], rest_api: bool = True) -> dict[str, Any]:
    """Everything, in order (the REST API only when asked); returns what was deployed."""
    required(env, "DATABASE_URL", "REDIS_URL", "CODEARENA_JWT_SECRET")
    database = Database.from_url(env["DATABASE_URL"])
    deployer = Deployer(boto3.session.Session())
    arns = {
        DATABASE_SECRET: deployer.ensure_secret(DATABASE_SECRET, database.secret()),
        JWT_SECRET: deployer.ensure_secret(JWT_SECRET, env["CODEARENA_JWT_SECRET"]),
    }
    deployer.upload(bundle)
    role = deployer.ensure_role()
    variables = function_environment(database, arns, env, ws_endpoint)
    app = load_app()
    functions = {f"{PREFIX}-api": deployer.ensure_function(f"{PREFIX}-api", "app.app", role, variables)}
    for function in app.pure_lambda_functions:  # e.g. `migrate`
        name = f"{PREFIX}-{function.name}"
        functions[name] = deployer.ensure_function(name, function.handler_string, role, variables)
    deployed = {"functions": functions, "secrets": arns, "bucket": BUCKET, "rest_api_id": None}
    if rest_api:
        api_id = deployer.ensure_rest_api(swagger_for(app, deployer.region, functions[f"{PREFIX}-api"]))
        deployer.allow_api_to_invoke(f"{PREFIX}-api", api_id)
        deployed["rest_api_id"] = api_id
    return deployed


def report(deployed: dict[str, Any], public_endpoint: str) -> str:
    lines = ["CodeArena's functions are in LocalStack:"]
    if api_id := deployed["rest_api_id"]:
        base = urlsplit(public_endpoint)
        host = f"{api_id}.execute-api.localhost.localstack.cloud:{base.port or 4566}"
        lines.append(f"  REST API    {base.scheme}://{host}/{STAGE}/")
        lines.append(f"              {public_endpoint.rstrip('/')}/_aws/execute-api/{api_id}/{STAGE}/")
    lines.append(f"  functions   {', '.join(deployed['functions'])}")
    lines.append(f"  secrets     {', '.join(deployed['secrets'])}")
    lines.append(f"  artifacts   s3://{deployed['bucket']}/{BUNDLE_KEY}")
    lines.append(
        "  WebSocket   ws://127.0.0.1:8000/ws (the local gateway: the free edition has no API Gateway v2)"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python infra/localstack/deploy.py", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    bundle = sub.add_parser("bundle", help="build the function zip (core bundled in)")
    bundle.add_argument("--output", type=Path, default=DEFAULT_BUNDLE)
    swagger = sub.add_parser("swagger", help="print the REST API's definition (chalice's swagger)")
    swagger.add_argument("--api-handler-arn", required=True)
    swagger.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    deploy_ = sub.add_parser("deploy", help="secrets, functions and the REST API into LocalStack")
    deploy_.add_argument("--bundle", type=Path, default=None, help="a zip from `bundle` (default: build one)")
    deploy_.add_argument("--ws-endpoint", default="http://gateway:8000", help="the @connections endpoint")
    deploy_.add_argument(
        "--public-endpoint", default="http://localhost:4566", help="LocalStack, from the host"
    )
    deploy_.add_argument(
        "--functions-only", action="store_true", help="leave the REST API as it is (after a code change)"
    )
    args = parser.parse_args(argv)
    if args.command == "bundle":
        print(build_bundle(args.output))
    elif args.command == "swagger":
        print(json.dumps(swagger_for(load_app(), args.region, args.api_handler_arn), indent=2))
    else:
        zip_path = args.bundle or build_bundle(DEFAULT_BUNDLE)
        deployed = deploy(zip_path, args.ws_endpoint, dict(os.environ), rest_api=not args.functions_only)
        print(json.dumps(deployed), flush=True)  # first: one line a script can read
        print(report(deployed, args.public_endpoint), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
