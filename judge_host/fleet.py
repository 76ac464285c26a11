"""A judge host as a member of an EC2 Auto Scaling group (on only when CODEARENA_ASG_NAME is set).

- Launch: once the language self-test has run, the launching lifecycle action is completed
  CONTINUE, or ABANDON when no language works (the group replaces the instance).
- Warm pool: while its target lifecycle state is `Warmed:*` the host claims nothing.
- Scale-in protection: on while the host holds jobs, off once it has held none for
  `idle_seconds`; SetInstanceProtection is called only when that changes.
- Leaving (target state `Terminated`, or back to the warm pool): the SIGTERM drain (no new
  claims, held jobs finish), RecordLifecycleActionHeartbeat every `heartbeat_seconds`
  meanwhile, and CompleteLifecycleAction CONTINUE once the last result is committed.
- The host holding the Redis lease `keys.METRICS_LEADER` publishes the queue metrics.

The target lifecycle state is polled from IMDSv2 (a session token PUT, then GETs with it).
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from codearena import keys, scaling
from codearena.config import ConfigError
from codearena.core import Core
from judge_host.daemon import JudgeHost

log = logging.getLogger("codearena.judge.fleet")

IN_SERVICE = "InService"
WARMED = "Warmed:"  # Warmed:Stopped, Warmed:Running, Warmed:Hibernated, Warmed:Terminated
TERMINATED = frozenset({"Terminated", "Warmed:Terminated"})
CONTINUE, ABANDON = "CONTINUE", "ABANDON"
TOKEN_TTL_SECONDS = 21600  # IMDSv2's longest session
LEADER_TTL_SECONDS = 30
Service = Literal["autoscaling", "cloudwatch"]  # the AWS services a judge host talks to
ClientFactory = Callable[[Service], Any]  # AWS service name → a boto3 client


@dataclass(frozen=True)
class FleetSettings:
    group: str
    launch_hook: str = "codearena-launching"
    terminate_hook: str = "codearena-terminating"
    imds_endpoint: str = "http://169.254.169.254"
    poll_seconds: float = 5.0  # how often the target lifecycle state is read
    heartbeat_seconds: float = 60.0  # lifecycle heartbeats while draining (the hook allows 900)
    idle_seconds: float = 10.0  # scale-in protection is dropped after this long without a job
    metrics_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FleetSettings | None:
        """The settings, or None when the host is not in an Auto Scaling group."""
        group = env.get("CODEARENA_ASG_NAME", "").strip()
        if not group:
            return None
        return cls(
            group=group,
            launch_hook=env.get("CODEARENA_LAUNCH_HOOK") or cls.launch_hook,
            terminate_hook=env.get("CODEARENA_TERMINATE_HOOK") or cls.terminate_hook,
            imds_endpoint=env.get("CODEARENA_IMDS_ENDPOINT") or cls.imds_endpoint,
            poll_seconds=_seconds(env, "CODEARENA_FLEET_POLL_SECONDS", cls.poll_seconds),
            heartbeat_seconds=_seconds(env, "CODEARENA_FLEET_HEARTBEAT_SECONDS", cls.heartbeat_seconds),
            idle_seconds=_seconds(env, "CODEARENA_FLEET_IDLE_SECONDS", cls.idle_seconds),
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 86400:
        raise ConfigError(f"{name} must be a number of seconds above 0, not {raw!r}")
    return value


class ImdsError(Exception):
    """The instance metadata service did not answer as it should."""


class Imds:
    """IMDSv2: a session token (PUT), then GETs under latest/meta-data/ carrying it. Plain
    http.client: no proxy from the environment may stand between a host and its metadata."""

    def __init__(self, endpoint: str, timeout_seconds: float = 2.0) -> None:
        parts = urlsplit(endpoint)
        self.endpoint = endpoint
        self._address = (parts.hostname or "169.254.169.254", parts.port or 80)
        self._timeout_seconds = timeout_seconds
        self._token = ""
        self._token_until = 0.0  # time.monotonic() after which the token is renewed
        self._lock = threading.Lock()

    def get(self, path: str) -> str | None:
        """The item at latest/meta-data/`path`; None when the instance has no such item."""
        status, text = self._get(path, renew=False)
        if status == 401:  # the token expired early (IMDS restarted)
            status, text = self._get(path, renew=True)
        if status == 404:
            return None
        if status != 200:
            raise ImdsError(f"{path}: HTTP {status}")
        return text.strip()

    def instance_id(self) -> str:
        found = self.get("instance-id")
        if not found:
            raise ImdsError("instance-id: missing")
        return found

    def target_lifecycle_state(self) -> str | None:
        return self.get("autoscaling/target-lifecycle-state")

    def _get(self, path: str, renew: bool) -> tuple[int, str]:
        headers = {"X-aws-ec2-metadata-token": self._session_token(renew)}
        return self._request("GET", f"/latest/meta-data/{path}", headers)

    def _session_token(self, renew: bool) -> str:
        with self._lock:
            if renew or time.monotonic() >= self._token_until:
                self._token = self._new_token()
                self._token_until = time.monotonic() + TOKEN_TTL_SECONDS - 60
            return self._token

    def _new_token(self) -> str:
        ttl = {"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_SECONDS)}
        status, text = self._request("PUT", "/latest/api/token", ttl)
        if status != 200:
            raise ImdsError(f"token: HTTP {status}")
        return text.strip()

    def _request(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
        connection = http.client.HTTPConnection(*self._address, timeout=self._timeout_seconds)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode()
        except (OSError, http.client.HTTPException) as exc:
            raise ImdsError(f"{method} {path}: {exc}") from exc
        finally:
            connection.close()


def boto3_clients(imds: Imds) -> ClientFactory:
    """boto3 clients in the environment's region, else the instance's (AWS_ENDPOINT_URL is
    honoured), with short timeouts: a slow answer must not hold up a drain."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    region = session.region_name or imds.get("placement/region")
    config = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
    return lambda service: session.client(service, region_name=region, config=config)


class Instance:
    """This instance: its metadata and its calls to its Auto Scaling group. A failed call is
    logged and reported as False: the group's own defaults (the hooks' timeouts and default
    results) cover a host that cannot call."""

    def __init__(self, settings: FleetSettings, imds: Imds, instance_id: str, clients: ClientFactory) -> None:
        self.settings = settings
        self.imds = imds
        self.instance_id = instance_id
        self.clients = clients
        self._autoscaling = clients("autoscaling")

    def complete_launch(self, works: bool) -> bool:
        result = CONTINUE if works else ABANDON
        return self._complete(self.settings.launch_hook, result)

    def complete_termination(self) -> bool:
        return self._complete(self.settings.terminate_hook, CONTINUE)

    def heartbeat(self) -> bool:
        return self._call(
            "record_lifecycle_action_heartbeat",
            LifecycleHookName=self.settings.terminate_hook,
            InstanceId=self.instance_id,
        )

    def protect(self, protected: bool) -> bool:
        return self._call(
            "set_instance_protection", InstanceIds=[self.instance_id], ProtectedFromScaleIn=protected
        )

    def _complete(self, hook: str, result: str) -> bool:
        return self._call(
            "complete_lifecycle_action",
            LifecycleHookName=hook,
            InstanceId=self.instance_id,
            LifecycleActionResult=result,
        )

    def _call(self, operation: str, **params: Any) -> bool:
        try:
            getattr(self._autoscaling, operation)(AutoScalingGroupName=self.settings.group, **params)
        except Exception as exc:  # botocore's ClientError and BotoCoreError, an unreachable endpoint
            log.warning("%s %s failed: %s", operation, params, exc)
            return False
        log.info("%s %s", operation, params)
        return True


def join(settings: FleetSettings, clients: ClientFactory | None = None) -> Instance:
    """This instance, found through IMDS: a ConfigError when it cannot be (not on EC2)."""
    imds = Imds(settings.imds_endpoint)
    try:
        return Instance(settings, imds, imds.instance_id(), clients or boto3_clients(imds))
    except ImdsError as exc:
        raise ConfigError(
            f"CODEARENA_ASG_NAME is set but the instance metadata at {settings.imds_endpoint} "
            f"cannot be read ({exc})"
        ) from exc


class ScaleInGuard:
    """Scale-in protection that follows whether the host holds jobs, one call per change. The
    first call is made whatever the state: a restarted process cannot know what it left set."""

    def __init__(self, instance: Instance, idle_seconds: float) -> None:
        self._instance = instance
        self._idle_seconds = idle_seconds
        self._protected: bool | None = None
        self._busy_until = 0.0  # time.monotonic() until which the host counts as busy

    def update(self, busy: bool, now: float) -> float:
        """Protect or release for `busy` at `now`; returns the seconds after which to look again."""
        if busy:
            self._busy_until = now + self._idle_seconds
        wanted = now < self._busy_until
        self._set(wanted)
        return self._busy_until - now if wanted else self._idle_seconds

    def release(self) -> None:
        """Drop the protection of a host that stops judging (a restart, `--once`)."""
        if self._protected:
            self._set(False)

    def _set(self, protected: bool) -> None:
        if protected != self._protected and self._instance.protect(protected):
            self._protected = protected


# KEYS: the lease. ARGV: holder, seconds. 1 when the holder has (renewed or taken) the lease.
_LEAD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""
# KEYS: the lease. ARGV: holder. Deleted only while it is still the holder's.
_RESIGN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class MetricsLeader:
    """Publishes the queue metrics while it holds the lease `keys.METRICS_LEADER`."""

    def __init__(self, core: Core, name: str, cloudwatch: Any) -> None:
        self.core = core
        self.name = name
        self.cloudwatch = cloudwatch

    def publish_if_leading(self) -> bool:
        """Renew or take the lease and, when held, publish; True when this host published."""
        if not self.core.redis.eval(_LEAD, 1, keys.METRICS_LEADER, self.name, LEADER_TTL_SECONDS):
            return False
        stats, runs = scaling.queue_stats(self.core), scaling.run_queue_stats(self.core)
        scaling.put_queue_metrics(self.cloudwatch, stats, runs)
        return True

    def resign(self) -> None:
        self.core.redis.eval(_RESIGN, 1, keys.METRICS_LEADER, self.name)


class Membership:
    """Runs beside `host.run()`: `start()` before it, `finish()` after it returned."""

    def __init__(self, host: JudgeHost, instance: Instance) -> None:
        self.host = host
        self.instance = instance
        self.settings = instance.settings
        self.leader = MetricsLeader(host.core, host.name, instance.clients("cloudwatch"))
        self.draining = threading.Event()  # the group is taking the instance out of service
        self.guard = ScaleInGuard(instance, self.settings.idle_seconds)
        self._served = False  # the instance has been in service (a later Warmed:* is a scale-in)
        self._state: str | None = None  # the target lifecycle state last read
        self._done = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Close claiming until the first state read says the instance is in service."""
        self.host.claiming.clear()
        self._follow_state()
        for name, target in (
            ("fleet-state", self._watch_state),
            ("fleet-protection", self._guard),
            ("fleet-metrics", self._lead_metrics),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def finish(self) -> None:
        """After the host stopped: every result it held is committed, so a terminating
        instance's lifecycle action is completed now, after its last heartbeat."""
        self._done.set()
        self.host.busy_changed.set()  # wakes the protection thread
        for thread in self._threads:
            thread.join(timeout=30)
        if self.draining.is_set():
            self.instance.complete_termination()
        else:  # stopped by hand: an idle instance may be scaled in again
            self.guard.release()
        try:
            self.leader.resign()
        except Exception:
            log.warning("giving up the metrics lease failed; it expires by itself", exc_info=True)

    # --- the target lifecycle state ---------------------------------------------------
    def _watch_state(self) -> None:
        while not self.draining.is_set() and not self._done.wait(self.settings.poll_seconds):
            self._follow_state()
        while not self._done.is_set():  # draining: keep the lifecycle action alive
            self.instance.heartbeat()
            self._done.wait(self.settings.heartbeat_seconds)

    def _follow_state(self) -> None:
        try:
            state = self.instance.imds.target_lifecycle_state()
        except ImdsError as exc:
            log.warning("reading the target lifecycle state failed: %s", exc)
            return
        previous, self._state = self._state, state
        if state in TERMINATED or (self._served and _warmed(state)):
            log.warning("target lifecycle state %s: draining", state)
            self.draining.set()
            self.host.stop()
        elif state in (None, IN_SERVICE):  # None: an instance with no lifecycle state to follow
            if _warmed(previous):  # out of a running warm pool: its launching hook waits again
                self.instance.complete_launch(works=True)
            self._served = True
            self.host.claiming.set()
        else:  # Warmed:* before service, Standby, Detached: judge nothing
            self.host.claiming.clear()

    # --- scale-in protection ----------------------------------------------------------
    def _guard(self) -> None:
        wait_seconds = 0.0
        while not self._done.is_set() and not self.draining.is_set():
            self.host.busy_changed.wait(min(wait_seconds, self.settings.poll_seconds))
            self.host.busy_changed.clear()
            if self.host.claiming.is_set() and not self.draining.is_set():
                wait_seconds = self.guard.update(self.host.busy, time.monotonic())
            else:  # not in service, or leaving: protection calls would be refused
                wait_seconds = self.settings.poll_seconds

    # --- queue metrics ----------------------------------------------------------------
    def _lead_metrics(self) -> None:
        while True:
            try:
                self.leader.publish_if_leading()
            except Exception as exc:  # Redis or CloudWatch unreachable: next round
                log.warning("publishing the queue metrics failed: %s", exc)
            if self._done.wait(self.settings.metrics_seconds):
                return


def _warmed(state: str | None) -> bool:
    return state is not None and state.startswith(WARMED)
