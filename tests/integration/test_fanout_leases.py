"""Fan-out processes share the WebSocket connections through shard leases in Redis, and one
of them leads (codearena.fanout_leases): fair shares, no shard held twice, takeover when a
process dies or leaves, a leader lease taken and renewed atomically (issue 13, issue 17)."""

from __future__ import annotations

import json
import threading
import time

from codearena import keys
from codearena.core import Core
from codearena.fanout import Fanout
from codearena.fanout_leases import LEASE_MS, SAFETY_MS, SHARDS, ShardLeases
from codearena.realtime import Connections


def members(core: Core, count: int) -> list[ShardLeases]:
    return [ShardLeases(core.redis, f"fanout-{n}") for n in range(count)]


def rounds(group: list[ShardLeases], times: int = 2) -> None:
    for _ in range(times):
        for member in group:
            member.step()


def assert_shared(group: list[ShardLeases]) -> None:
    """Every shard held by exactly one member, in fair shares, and exactly one leader."""
    views = [member.shards() for member in group]
    assert sorted(shard for view in views for shard in view) == list(range(SHARDS))
    fair = -(-SHARDS // len(group))
    assert all(SHARDS - fair * (len(group) - 1) <= len(view) <= fair for view in views), list(map(len, views))
    assert sum(member.leading for member in group) == 1


def test_members_share_every_shard_fairly_with_one_leader(core: Core) -> None:
    group = members(core, 3)
    rounds(group)
    assert_shared(group)
    for member in group:  # what Redis holds is what each believes it holds
        owned = {n for n in range(SHARDS) if core.redis.get(keys.fanout_shard(n)) == member.owner}
        assert owned == member.shards()


def test_a_joining_member_gets_its_share_without_a_shard_held_twice(core: Core) -> None:
    group = members(core, 2)
    rounds(group)
    group.append(ShardLeases(core.redis, "fanout-late"))
    for _ in range(3):
        for member in group:
            member.step()
            views = [m.shards() for m in group]
            assert sum(map(len, views)) == len(set().union(*views))  # never one shard in two views
    assert_shared(group)


def test_the_shards_of_a_member_that_died_are_taken_over(core: Core) -> None:
    group = members(core, 3)
    rounds(group)
    dead = next(member for member in group if member.leading)  # the leader, to move the lead too
    survivors = [member for member in group if member is not dead]
    time.sleep(LEASE_MS / 1000 / 2)
    rounds(survivors, 1)
    assert len(set().union(*(m.shards() for m in survivors))) < SHARDS  # not before its leases lapse
    time.sleep(LEASE_MS / 1000 / 2 + 0.2)
    rounds(survivors, 1)
    assert_shared(survivors)


def test_a_member_that_leaves_hands_over_at_once(core: Core) -> None:
    group = members(core, 2)
    rounds(group)
    group[0].leave()
    assert group[0].shards() == frozenset() and not group[0].leading
    rounds(group[1:], 1)
    assert_shared(group[1:])


def test_a_member_that_cannot_renew_stops_before_its_leases_lapse(core: Core) -> None:
    now = [100.0]
    member = ShardLeases(core.redis, "fanout-alone", clock=lambda: now[0])
    member.step()
    assert len(member.shards()) == SHARDS and member.leading
    now[0] += (LEASE_MS - SAFETY_MS) / 1000 - 0.01
    assert len(member.shards()) == SHARDS
    now[0] += 0.02  # no renewal since: it gives up a second before Redis would let another in
    assert member.shards() == frozenset() and not member.leading
    assert core.redis.pttl(keys.fanout_shard(0)) > 0 and core.redis.pttl(keys.FANOUT_LEADER) > 0


def test_racing_members_never_both_lead(core: Core) -> None:
    group = members(core, 4)
    both: list[int] = []
    stop = threading.Event()

    def race(member: ShardLeases) -> None:
        while not stop.is_set():
            member.step()
            owner = core.redis.get(keys.FANOUT_LEADER)
            if member.leading and owner != member.owner:
                both.append(1)

    threads = [threading.Thread(target=race, args=(member,)) for member in group]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join()
    assert both == []
    assert sum(member.leading for member in group) == 1


def test_a_member_reads_only_the_followers_it_posts_to(core: Core) -> None:
    registry = Connections(core.redis)
    followers = [f"viewer-{n}" for n in range(200)]
    for connection_id in followers:
        registry.add(connection_id, None)
        registry.subscribe(connection_id, "contest:1")
    group = members(core, 3)
    rounds(group)
    read = [registry.subscribers("contest:1", member.shards()) for member in group]
    assert sorted(cid for part in read for cid in part) == sorted(followers)
    for member, part in zip(group, read, strict=True):
        assert part and {keys.connection_shard(cid) for cid in part} <= member.shards()
    assert registry.subscribers("contest:1", frozenset()) == []


def test_only_the_leader_coalesces_boards_and_its_successor_keeps_what_was_due(core: Core) -> None:
    leader, follower = Fanout(core, Recorder(), name="leader"), Fanout(core, Recorder(), name="follower")
    rounds([leader.leases, follower.leases])
    assert leader.leading and not follower.leading
    change = json.dumps({"topic": "board:5", "type": "board", "username": "ann", "views": ["public", "jury"]})
    for fanout in (leader, follower):
        fanout.on_message(change)
    follower.flush()  # a follower publishes nothing
    assert core.events.live_version("contest:5") == 0
    for fanout in (leader, follower):
        fanout.on_message(change.replace("ann", "bob"))
    time.sleep(LEASE_MS / 1000 + 0.2)  # the leader died before its flush: its leases lapse
    follower.leases.step()
    assert follower.leading
    follower.flush()  # bob's change, heard while following
    assert core.events.live_version("contest:5") == core.events.live_version("jury:5") == 1
    published = core.events.since("jury:5", "0-0")
    assert [event["type"] for event in published] == ["leaderboard"]
    assert core.events.since("contest:5", "0-0")[0]["version"] == 1


class Recorder:
    """A `Delivery` that keeps nothing and reports nobody gone."""

    def send_many(self, connection_ids: list[str], data: bytes) -> list[str]:
        return []
