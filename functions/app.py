"""CodeArena's functions: the HTTP API (DESIGN §8, its routes declared by area in
chalicelib/routes/), the WebSocket API (DESIGN §7), migrations and the judge fleet's scaling."""

import os
from typing import Any

import boto3
from chalice import Chalice, CORSConfig, Rate
from chalice.app import WebsocketEvent

from chalicelib import routes
from chalicelib.api import Api
from chalicelib.edge import install_error_shape
from chalicelib.judge_scaling import handler as scale_judges
from chalicelib.migrate import handler as run_migrations
from chalicelib.realtime import Realtime

app = Chalice(app_name="codearena")
# The web app may be served from another origin (S3, DESIGN §2): every route answers CORS.
app.api.cors = CORSConfig(allow_origin="*", allow_headers=["Idempotency-Key"], max_age=600)
install_error_shape(app)
api = Api()
# Through this module's `api` at each request, so a test can put an Api of its own there.
routes.register(app, lambda: api)


# --- WebSocket API (DESIGN §7): connect with ?token=, then subscribe/unsubscribe messages -------
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.websocket_api.session = boto3.session.Session(region_name=os.environ.get("AWS_REGION", "us-east-1"))
realtime = Realtime(api)


@app.on_ws_connect()
def ws_connect(event: WebsocketEvent) -> dict[str, Any]:
    return realtime.connect(event)


@app.on_ws_message()
def ws_message(event: WebsocketEvent) -> dict[str, Any]:
    return realtime.message(event)


@app.on_ws_disconnect()
def ws_disconnect(event: WebsocketEvent) -> dict[str, Any]:
    return realtime.disconnect(event)


# --- Migrations: `codearena deploy` invokes this once per deploy ---------------------------
@app.lambda_function(name="migrate")
def migrate(event: dict[str, Any], context: Any) -> dict[str, list[str]]:
    return run_migrations(event, context)


# --- The judge fleet's scaling signal and contest warm-ups (codearena.scaling) ---------------
@app.schedule(Rate(1, unit=Rate.MINUTES), name="judge_scaling")
def judge_scaling(event: Any) -> dict[str, Any]:
    return scale_judges(event, None)
