"""The cgroup v2 adapter against a directory laid out like a delegated v2 subtree.

These machines mount only cgroup v1 controllers, so the v2 file protocol (limits written,
counters read, kill) is checked on a plain directory; production hosts run it for real.
"""

from __future__ import annotations

import os
from pathlib import Path

from sandbox.cgroups import SUPERVISOR_LEAF, CgroupLayout, CgroupV2, cgroup_from_config


def v2_box(tmp_path: Path) -> CgroupV2:
    layout = CgroupLayout(2, (tmp_path / "judge" / "codearena",))
    (tmp_path / "judge" / "codearena").mkdir(parents=True)
    cgroup = layout.box(3)
    assert isinstance(cgroup, CgroupV2)
    cgroup.path.mkdir()
    for name, text in {
        "memory.events": "low 0\nhigh 0\nmax 4\noom 1\noom_kill 2\noom_group_kill 0\n",
        "cpu.stat": "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n",
        "memory.peak": "268435456\n",
        "memory.current": "1048576\n",
        "memory.swap.max": "max\n",
        "memory.oom.group": "0\n",
        "memory.max": "max\n",
        "pids.max": "max\n",
        "pids.current": "3\n",
    }.items():
        (cgroup.path / name).write_text(text)
    return cgroup


def test_limits_and_oom_group_are_written(tmp_path: Path) -> None:
    cgroup = v2_box(tmp_path)
    cgroup.create()
    cgroup.set_limits(256 << 20, 64)
    assert (cgroup.path / "memory.max").read_text().strip() == str(256 << 20)
    assert (cgroup.path / "pids.max").read_text().strip() == "64"
    assert (cgroup.path / "memory.swap.max").read_text().strip() == "0"  # no swap to hide in
    assert (cgroup.path / "memory.oom.group").read_text().strip() == "1"


def test_counters_are_read_from_their_keyed_files(tmp_path: Path) -> None:
    cgroup = v2_box(tmp_path)
    assert cgroup.oom_kills() == 2
    assert cgroup.cpu_ns() == 1_234_567_000
    assert cgroup.peak_bytes() == 268_435_456
    assert cgroup.usage_bytes() == 1_048_576
    assert cgroup.task_count() == 3


def test_kill_uses_cgroup_kill_when_the_kernel_has_it(tmp_path: Path) -> None:
    cgroup = v2_box(tmp_path)
    (cgroup.path / "cgroup.kill").write_text("0\n")
    cgroup.kill_everything()
    assert (cgroup.path / "cgroup.kill").read_text().strip() == "1"


def test_the_config_passed_to_keepers_round_trips(tmp_path: Path) -> None:
    cgroup = v2_box(tmp_path)
    again = cgroup_from_config(cgroup.config())
    assert isinstance(again, CgroupV2) and again.path == cgroup.path


def test_a_supervisor_alone_in_its_cgroup_moves_into_a_leaf_before_handing_controllers_down(
    tmp_path: Path,
) -> None:
    # A judge host as systemd starts it: the only process of its unit's delegated cgroup.
    unit = tmp_path / "codearena-judge.service"
    unit.mkdir()
    (unit / "cgroup.type").write_text("domain\n")
    (unit / "cgroup.procs").write_text(f"{os.getpid()}\n")
    layout = CgroupLayout(2, (unit / "codearena-i0",))
    layout.prepare()
    assert (unit / SUPERVISOR_LEAF / "cgroup.procs").read_text() == str(os.getpid())
    assert (unit / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert (unit / "codearena-i0" / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"


def test_an_empty_delegated_cgroup_needs_no_leaf(tmp_path: Path) -> None:
    unit = tmp_path / "delegated"
    unit.mkdir()
    (unit / "cgroup.type").write_text("domain\n")
    (unit / "cgroup.procs").write_text("")
    CgroupLayout(2, (unit / "codearena-i0",)).prepare()
    assert not (unit / SUPERVISOR_LEAF).exists()
    assert (unit / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"


def test_the_hierarchys_root_may_hold_processes_and_needs_no_leaf(tmp_path: Path) -> None:
    # The real root (no cgroup.type) is exempt from the no-internal-process rule.
    (tmp_path / "cgroup.procs").write_text(f"1\n{os.getpid()}\n")
    CgroupLayout(2, (tmp_path / "codearena-i0",)).prepare()
    assert not (tmp_path / SUPERVISOR_LEAF).exists()
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
