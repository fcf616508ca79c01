"""Let the SDK's event loop register resources while the program's body is still building them.

Under the Python SDK a program's body runs in one step of one task: every resource it constructs schedules its
registration, and none runs before the body returns. So the SDK holds every resource's pending registration at once
(its task, an `Output` and four futures for each output property: about 65 KB a resource at 5,000, 423 MB of peak
memory). Registered, a resource keeps its resolved outputs; its task and callbacks are gone. Every
`RESOURCES_PER_TURN` resources the body constructs, preflight turns the loop as the SDK's own `_sync_await` does
during a synchronous invoke: it runs the callbacks that are ready, and the registrations move on (and preflight's
analysis of them with them).

A turn never waits (it stops when nothing is ready, so it cannot block on a registration the body has not
caused yet), and it only runs in the body's own step, never inside a callback. It runs as a construction starts
(before `Resource.__init__`), when no resource is half built: inside one, the resource is already its parent's child
but a component has no `_remote` yet, which another resource's `depends_on` on that parent reads. The program's time
limit (SIGALRM, `program.py`) waits for the end of a turn: raised in a callback, the loop would log and swallow it.
The registrations and their inputs are the same; only when they happen changes, as it does in any program that calls
an invoke.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from unittest import mock

import pulumi.resource

# Measured at 5,000 resources, program alone, peak memory / CPU: every 50 resources 170 MB / 6.6 s, 100: 172 MB /
# 6.8 s, 200: 177 MB / 7.6 s, 500: 184 MB / 8.0 s; without turns 384 MB / 7.2 s.
RESOURCES_PER_TURN = 100
# A turn ends when nothing is ready (after 32 to 83 iterations of the loop at 5,000 resources); the bound only
# stops callbacks that keep rescheduling themselves.
ITERATIONS_PER_TURN = 200


class _Turns:
    def __init__(self) -> None:
        self.body_task: asyncio.Task | None = None
        self.constructed = 0
        # The enclosing iteration of the loop (the one running the body's step) still pops at most as many
        # callbacks as were ready when the body started. The SDK's `_sync_await` pads the ready queue back to its
        # length on entry, which grows turn after turn (the padding counts again); a turn pads to that length only.
        self.outer_pops = 0

    def before_construction(self) -> None:
        if self.body_task is None:
            return
        loop = self.body_task.get_loop()
        if asyncio.current_task(loop) is not self.body_task:  # a callback's resource, not the body's
            return
        if self.constructed and self.constructed % RESOURCES_PER_TURN == 0:
            self._turn(loop)
        self.constructed += 1

    def _turn(self, loop: asyncio.AbstractEventLoop) -> None:
        ready = loop._ready  # type: ignore[attr-defined]  # the SDK's _sync_await reads it too
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        asyncio.tasks._leave_task(loop, self.body_task)
        try:
            for _ in range(ITERATIONS_PER_TURN):
                if not ready:
                    break
                loop._run_once()  # type: ignore[attr-defined]
        finally:
            asyncio.tasks._enter_task(loop, self.body_task)
            while len(ready) < self.outer_pops:
                padding = asyncio.Handle(lambda: None, [], loop)
                padding.cancel()
                ready.append(padding)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a time limit that expired meanwhile is raised here


@contextlib.contextmanager
def registering_while_built(program: Callable[[], object]) -> Iterator[Callable[[], object]]:
    """`program` wrapped so that, while it runs, the loop registers its resources in turns."""
    turns = _Turns()
    construct = pulumi.resource.Resource.__init__

    def construct_after_a_turn(self: pulumi.Resource, *args: object, **kwargs: object) -> None:
        turns.before_construction()
        construct(self, *args, **kwargs)

    def program_in_turns() -> object:
        turns.body_task = asyncio.current_task()
        turns.outer_pops = len(turns.body_task.get_loop()._ready)  # type: ignore[attr-defined]
        try:
            return program()
        finally:
            turns.body_task = None

    with mock.patch.object(pulumi.resource.Resource, "__init__", construct_after_a_turn):
        yield program_in_turns
