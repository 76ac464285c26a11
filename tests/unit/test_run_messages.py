"""The run requests between a supervisor and its keeper: a repeated argv is sent once."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from sandbox.protocol import RunMessages, RunRequest, decode

REQUEST = RunRequest(
    argv=["/usr/bin/bwrap", "--unshare-all", "--", "/box/main"],
    stdin_path="/io/stdin",
    stdout_path="/io/stdout",
    stderr_path="/io/stderr",
    time_limit_ms=1000,
    wall_limit_ms=2000,
    memory_bytes=1 << 28,
    processes=1,
    fsize_bytes=1 << 20,
    stack_bytes=1 << 28,
    reuse=True,
)


def test_a_repeated_argv_is_left_out_and_restored() -> None:
    client, keeper = RunMessages(), RunMessages()
    other = replace(REQUEST, argv=[*REQUEST.argv, "arg"], stdin_path="/tests/2.in")
    for request in (REQUEST, replace(REQUEST, stdin_path="/tests/1.in"), other, other, REQUEST):
        line = client.encode(request)
        assert keeper.decode(decode(line)["run"]) == request
    repeated = json.loads(client.encode(REQUEST))["run"]
    assert repeated["argv"] is None and repeated["stdin_path"] == "/io/stdin"


def test_a_warm_request_keeps_its_argv_and_leaves_the_last_one_alone() -> None:
    client, keeper = RunMessages(), RunMessages()
    compile_request = replace(REQUEST, argv=["/usr/bin/bwrap", "--", "gcc"], reuse=False)
    message = json.loads(client.encode(compile_request, warm=REQUEST))
    assert message["warm"]["argv"] == REQUEST.argv
    keeper.decode(message["run"])
    assert keeper.decode(decode(client.encode(compile_request))["run"]) == compile_request


def test_a_new_keeper_refuses_a_repeat_it_never_saw() -> None:
    client = RunMessages()
    client.encode(REQUEST)
    with pytest.raises(ValueError, match="never sent"):
        RunMessages().decode(decode(client.encode(REQUEST))["run"])
