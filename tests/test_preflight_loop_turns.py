"""The event loop registers a program's resources in turns while its body builds them (preflight.loop_turns)."""

from __future__ import annotations

import asyncio
import itertools
import time

import pulumi
import pulumi_aws as aws
import pytest

from preflight import loop_turns
from preflight import program as program_module
from preflight.loop_turns import RESOURCES_PER_TURN
from preflight.program import new_monitor, run_under_mocks
from preflight.recorder import STACK_TYPE
from preflight.stack_files import StackSettings
from tests.pulumi_mocks import PROJECT, ROOT

THING = "test:index:Thing"


SETTINGS = StackSettings(project=PROJECT, stack="test", project_dir=ROOT, program_dir=ROOT,
                         config={"aws:region": "eu-west-1"})


def _run(program):
    settings = SETTINGS
    monitor = new_monitor(settings, preview=True)
    run_under_mocks(program, settings, monitor, preview=True)
    return monitor


def _build(prefix: str, count: int) -> list[pulumi.ComponentResource]:
    return [pulumi.ComponentResource(THING, f"{prefix}{i}") for i in range(count)]


def test_resources_register_while_the_body_still_builds_them():
    settings = SETTINGS
    monitor = new_monitor(settings, preview=True)
    registered_during_the_body = []

    def program():
        for batch in range(5):
            _build(f"b{batch}-", RESOURCES_PER_TURN)
        registered_during_the_body.append(len([r for r in monitor.recorded if r.type == THING]))

    run_under_mocks(program, settings, monitor, preview=True)

    assert registered_during_the_body[0] >= 3 * RESOURCES_PER_TURN
    assert len([r for r in monitor.recorded if r.type == THING]) == 5 * RESOURCES_PER_TURN


def test_turns_leave_the_loop_whole_around_callbacks_and_synchronous_invokes(monkeypatch):
    turns = {"count": 0, "depth": 0, "deepest": 0}
    turn = loop_turns._Turns._turn

    def counted_turn(self, loop):
        turns["count"] += 1
        turns["depth"] += 1
        turns["deepest"] = max(turns["deepest"], turns["depth"])
        try:
            turn(self, loop)
        finally:
            turns["depth"] -= 1

    monkeypatch.setattr(loop_turns._Turns, "_turn", counted_turn)
    identities = []

    def program():
        _build("a", RESOURCES_PER_TURN + 50)
        # a callback that builds resources, run by the next turns: it must not turn the loop itself
        pulumi.Output.from_input("x").apply(lambda _: _build("in-apply-", 2 * RESOURCES_PER_TURN))
        _build("b", RESOURCES_PER_TURN)
        identities.append(aws.get_caller_identity())  # the SDK's own nested run of the loop, between turns
        _build("c", 2 * RESOURCES_PER_TURN)

    monitor = _run(program)

    names = sorted(r.name for r in monitor.recorded if r.type == THING)
    expected = sorted([f"a{i}" for i in range(RESOURCES_PER_TURN + 50)]
                      + [f"in-apply-{i}" for i in range(2 * RESOURCES_PER_TURN)]
                      + [f"b{i}" for i in range(RESOURCES_PER_TURN)]
                      + [f"c{i}" for i in range(2 * RESOURCES_PER_TURN)])
    assert names == expected
    assert identities[0].account_id
    assert turns["deepest"] == 1
    # the body's own constructions turn the loop (450: four turns); the apply's run in a callback and do not
    assert turns["count"] == 4


def test_no_turn_runs_while_a_resource_is_half_built():
    """A child is its parent's child before its own construction ends, and a component gets `_remote` only after
    `Resource.__init__`: a turn inside a construction would register `depends_on=[parent]` against that half-built
    child (AttributeError). The hundredth construction here is such a child."""
    def program():
        parent = pulumi.ComponentResource(THING, "parent")
        pulumi.ComponentResource(THING, "after-parent", opts=pulumi.ResourceOptions(depends_on=[parent]))
        for i in range(RESOURCES_PER_TURN - 2 + 5):
            pulumi.ComponentResource(THING, f"child{i}", opts=pulumi.ResourceOptions(parent=parent))

    monitor = _run(program)

    assert len([r for r in monitor.recorded if r.type == THING]) == RESOURCES_PER_TURN + 5


def test_the_time_limit_stops_a_body_that_keeps_building():
    """SIGALRM in a turn would land in a callback, which the loop logs and forgets; a turn holds it until it ends."""
    started = time.monotonic()

    def program():
        for i in itertools.count():
            if time.monotonic() - started > 10:
                return
            pulumi.ComponentResource(THING, f"t{i}")

    with pytest.raises(program_module._ProgramTimeout), program_module._time_limit(1):
        _run(program)
    assert time.monotonic() - started < 5


def test_a_failure_after_some_turns_still_reaches_the_caller():
    def program():
        _build("a", 2 * RESOURCES_PER_TURN)
        raise RuntimeError("the program's own bug")

    with pytest.raises(RuntimeError, match="the program's own bug"):
        _run(program)


def test_the_stack_registers_first():
    monitor = _run(lambda: _build("a", 3 * RESOURCES_PER_TURN))

    assert monitor.recorded[0].type == STACK_TYPE
    assert {r.parent for r in monitor.recorded[1:]} == {monitor.recorded[0].urn}


def test_a_turn_leaves_the_loop_iteration_around_it_as_many_callbacks_as_it_will_pop():
    loop = asyncio.new_event_loop()
    turns = loop_turns._Turns()
    ran = []

    async def body():
        turns.body_task = asyncio.current_task()
        turns.outer_pops = len(loop._ready)  # as the wrapped program's start sets it
        turns._turn(loop)  # runs the two callbacks that this iteration of the loop was about to run
        ran.append("body")

    try:
        task = loop.create_task(body())
        loop.call_soon(ran.append, "first")
        loop.call_soon(ran.append, "second")
        loop.run_until_complete(task)
    finally:
        loop.close()

    assert ran == ["first", "second", "body"]
