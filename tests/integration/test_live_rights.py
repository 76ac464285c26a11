"""Rights on live topics are checked again at every delivery: a demotion, a ban, a revoked or
expired token ends the subscriptions it no longer allows (issue 11, finding 1)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from chalice.test import Client

from codearena import users
from codearena.auth import Principal
from codearena.core import Core
from codearena.delivery import ApiGatewayDelivery
from codearena.fanout import Fanout
from codearena.models import Role
from codearena.realtime import Connections
from tests.integration.conftest import login
from tests.integration.test_realtime import API_ID, REGION, event, invoke, posted, token_of, ws

__all__ = ["ws"]  # the fixture, used by name
ENDPOINT = f"https://{API_ID}.execute-api.{REGION}.amazonaws.com/api"


def connect(ws: Client, connection_id: str, token: str | None, topic: str) -> None:
    assert invoke(ws, "ws_connect", event(connection_id, "$connect", token=token))["statusCode"] == 200
    invoke(ws, "ws_message", event(connection_id, "$default", {"action": "subscribe", "topic": topic}))
    assert posted(connection_id)[-1] == {"type": "subscribed", "topic": topic}


def fanout(core: Core) -> Fanout:
    return Fanout(core, ApiGatewayDelivery(ENDPOINT, workers=2), name="rights")


def deliver(core: Core, topic: str, n: int) -> int:
    return fanout(core).deliver(topic, f'{{"type": "leaderboard", "n": {n}}}'.encode())


def user_id(core: Core, username: str) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = %s", (username,))
        return int(cur.fetchone()["id"])


def demote(core: Core, principal: Principal, admin: Principal) -> None:
    users.set_role(core, principal.user_id, {"role": "contestant"})


def ban(core: Core, principal: Principal, admin: Principal) -> None:
    users.ban(core, admin, principal.user_id, {"reason": "sharing code"})


def revoke(core: Core, principal: Principal, admin: Principal) -> None:
    users.revoke_tokens(core, principal.user_id)


def log_out(core: Core, principal: Principal, admin: Principal) -> None:
    users.logout(core, principal, {})


def password_changed(core: Core, principal: Principal, admin: Principal) -> None:
    body = {"current_password": "password-judy", "new_password": "a-brand-new-phrase"}
    users.change_password(core, principal, body, "192.0.2.1")


Change = Callable[[Core, Principal, Principal], None]
CHANGES: dict[str, tuple[Change, str]] = {
    "demoted": (demote, "forbidden_topic"),
    "banned": (ban, "account_banned"),
    "tokens revoked": (revoke, "token_revoked"),
    "logged out": (log_out, "token_revoked"),
    "password changed": (password_changed, "token_revoked"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_jury_subscription_ends_at_the_next_delivery_after(
    ws: Client, core: Core, running_contest: dict[str, Any], change: str
) -> None:
    action, reason = CHANGES[change]
    admin = core.tokens.verify(token_of(login(core, "boss", Role.ADMIN)))
    token = token_of(login(core, "judy", Role.JURY))
    topic = f"jury:{running_contest['id']}"
    connect(ws, "judge", token, topic)
    assert deliver(core, topic, 1) == 1
    action(core, core.tokens.verify(token), admin)
    assert deliver(core, topic, 2) == 0
    received = posted("judge")
    assert {"type": "leaderboard", "n": 1} in received
    assert {"type": "leaderboard", "n": 2} not in received
    assert received[-1] == {"type": "unsubscribed", "topic": topic, "reason": reason}
    assert Connections(core.redis).subscribers(topic) == []
    assert deliver(core, topic, 3) == 0 and posted("judge") == received  # nothing more


def test_an_expired_token_ends_restricted_subscriptions_but_not_public_ones(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    login(core, "joan", Role.JURY)
    # It expires in 3 s: time to connect and subscribe on a loaded machine (with 1 s, a
    # clean-clone run found it expired at the subscription already).
    expires = time.time() + 3
    token, _ = core.tokens.issue(
        user_id(core, "joan"), "joan", Role.JURY, now=expires - core.tokens.ttl_seconds
    )
    jury, public = f"jury:{running_contest['id']}", f"contest:{running_contest['id']}"
    connect(ws, "short", token, jury)
    invoke(ws, "ws_message", event("short", "$default", {"action": "subscribe", "topic": public}))
    time.sleep(max(expires - time.time(), 0) + 0.5)
    assert deliver(core, jury, 1) == 0
    assert posted("short")[-1] == {"type": "unsubscribed", "topic": jury, "reason": "token_expired"}
    assert deliver(core, public, 2) == 1  # anyone may watch the public board
    assert posted("short")[-1] == {"type": "leaderboard", "n": 2}


def test_following_a_submission_rests_on_ownership_or_on_the_jury_role(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    from codearena import submissions

    owner = core.tokens.verify(token_of(owner_header := login(core, "olga")))
    body = {"problem_id": running_contest["problem_id"], "language": "python", "source": "print(3)"}
    sid = submissions.submit(core, owner, running_contest["id"], body)["id"]
    topic = f"submission:{sid}"
    jury_token = token_of(login(core, "judy", Role.JURY))
    connect(ws, "owner", token_of(owner_header), topic)
    connect(ws, "juror", jury_token, topic)
    assert deliver(core, topic, 1) == 2
    users.set_role(core, core.tokens.verify(jury_token).user_id, {"role": "contestant"})
    assert deliver(core, topic, 2) == 1  # the owner still follows their own submission
    assert posted("owner")[-1] == {"type": "leaderboard", "n": 2}
    assert posted("juror")[-1] == {"type": "unsubscribed", "topic": topic, "reason": "forbidden_topic"}


def test_a_revoked_or_banned_token_cannot_connect(ws: Client, core: Core) -> None:
    admin = core.tokens.verify(token_of(login(core, "boss", Role.ADMIN)))
    revoked, banned = token_of(login(core, "rita")), token_of(login(core, "bert"))
    users.logout(core, core.tokens.verify(revoked), {})
    users.ban(core, admin, core.tokens.verify(banned).user_id, None)
    for name, token in (("r", revoked), ("b", banned)):
        assert invoke(ws, "ws_connect", event(name, "$connect", token=token))["statusCode"] == 401


def test_replaying_missed_events_is_rationed_per_connection(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    topic = f"contest:{running_contest['id']}"
    for n in range(1000):
        core.events.publish(topic, "contest_state", contest_id=running_contest["id"], state=f"s{n}")
    invoke(ws, "ws_connect", event("greedy", "$connect"))
    resubscribe = {"action": "subscribe", "topic": topic, "since": "0-0"}
    for _ in range(2):  # two full replays a minute: a client that really lost its place
        invoke(ws, "ws_message", event("greedy", "$default", resubscribe))
        assert posted("greedy")[-1]["state"] == "s999"
    invoke(ws, "ws_message", event("greedy", "$default", resubscribe))
    assert posted("greedy")[-1]["error"]["code"] == "replay_limited"
    assert len(posted("greedy")) == 2 * (1 + 1000) + 2  # subscribed, replay ×2; subscribed, error


def test_a_hidden_contests_topics_are_the_jurys_alone(
    ws: Client, core: Core, running_contest: dict[str, Any]
) -> None:
    """Issue 14: a hidden contest does not exist for contestants, over WebSocket too: they
    cannot subscribe to its topics, and those who followed it before it was hidden are
    dropped at its next event; the jury keeps it."""
    from codearena import contests

    cid = running_contest["id"]
    topic = f"contest:{cid}"
    ann = login(core, "ann")
    connect(ws, "early", token_of(ann), topic)
    connect(ws, "anon-early", None, topic)
    connect(ws, "jury", token_of(login(core, "judy", Role.JURY)), topic)
    assert deliver(core, topic, 1) == 3
    contests.update_contest(core, cid, {"visibility": "hidden"})
    assert deliver(core, topic, 2) == 1
    assert posted("jury")[-1] == {"type": "leaderboard", "n": 2}
    for dropped in ("early", "anon-early"):
        assert posted(dropped)[-1] == {"type": "unsubscribed", "topic": topic, "reason": "contest_not_found"}
    own = f"participant:{cid}:{user_id(core, 'ann')}"  # ann's clarifications
    for name, token, topics in (("late", token_of(ann), (topic, own)), ("anon-late", None, (topic,))):
        assert invoke(ws, "ws_connect", event(name, "$connect", token=token))["statusCode"] == 200
        for refused in topics:
            invoke(ws, "ws_message", event(name, "$default", {"action": "subscribe", "topic": refused}))
            assert posted(name)[-1]["error"]["code"] == "contest_not_found", refused
    connect(ws, "jury-late", token_of(login(core, "joan", Role.JURY)), topic)
    assert set(Connections(core.redis).subscribers(topic)) == {"jury", "jury-late"}
    contests.update_contest(core, cid, {"visibility": "public"})
    connect(ws, "again", token_of(ann), topic)
    assert deliver(core, topic, 3) == 3
