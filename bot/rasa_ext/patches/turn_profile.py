"""Where a turn's time goes, for ``make bench``: off unless ``KOERS_TURN_PROFILE`` names a file.

With the variable set, the Rasa server adds up, per part of a turn, the wall time it spends:
every node of the prediction graph by its component (spaCy, the featurizers, DIET, the
response selector, each policy and the ensemble that picks one), reading and writing the
tracker, the scrubbing inside that write, the slot extraction after each message, running
actions and, inside them, the action server's round trips. After every turn the totals are
written to that file as JSON; ``tools.bench.run`` runs one employee without pauses against
it, so the parts of one turn do not overlap and, with what Rasa does between them, add up to
the turn. The replaced functions only get a timer around Rasa's own code; without the
variable nothing is replaced.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.rasa_ext.patches.target import PatchedFunction

ENV_VARIABLE = "KOERS_TURN_PROFILE"
TARGETS = (
    PatchedFunction(
        "rasa.engine.runner.dask",
        "DaskGraphRunner",
        "__init__",
        "29f069a010bd16a54bce609b8a31f757b2af90f2cb9c1c85b62ffbd27f104284",
    ),
    PatchedFunction(
        "rasa.core.processor",
        "MessageProcessor",
        "handle_message",
        "0c41d4780d2d46769ef2ae2b3f450b88d2602e916590e8be9975aa474db9f7f4",
    ),
    PatchedFunction(
        "rasa.core.processor",
        "MessageProcessor",
        "fetch_tracker_and_update_session",
        "400f21a2ea5d3426689e4f3be44cd2eecfb2c44c11e036409b29d7c8a456d321",
    ),
    PatchedFunction(
        "rasa.core.processor",
        "MessageProcessor",
        "save_tracker",
        "e4532dd4d2970f5de27b262336918f75c3096efbb0046d7c554e26ed61887bd3",
    ),
    PatchedFunction(
        "rasa.core.processor",
        "MessageProcessor",
        "run_action_extract_slots",
        "ff52049be97dde87e33df55dc527c3775da1321de226142b1e20435e99e595c5",
    ),
    PatchedFunction(
        "rasa.core.processor",
        "MessageProcessor",
        "_run_action",
        "6d383d0179ef1187639887289168959a5a82f94e6949e4e27bb83b2165094995",
    ),
)


class TurnProfile:
    """Seconds and calls per part, summed over all turns since the server started."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.turns = 0
        self._lock = threading.Lock()  # scrubbing is timed in the database threads
        self._cpu_start = self._cpu_seconds()

    @staticmethod
    def _cpu_seconds() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def add(self, part: str, seconds: float) -> None:
        with self._lock:
            self.seconds[part] += seconds
            self.calls[part] += 1

    def turn_done(self, seconds: float) -> None:
        with self._lock:
            self.turns += 1
            self.seconds["turn"] += seconds
            self.calls["turn"] += 1
            snapshot = {
                "turns": self.turns,
                "process_cpu_s": round(self._cpu_seconds() - self._cpu_start, 4),
                "seconds": {part: round(value, 6) for part, value in self.seconds.items()},
                "calls": dict(self.calls),
            }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(snapshot))
        temporary.replace(self.path)


_profile: TurnProfile | None = None


def _node_hook_class() -> type:
    from rasa.engine.graph import GraphNodeHook

    class NodeTimer(GraphNodeHook):
        """Times every graph node under the name of the component it runs."""

        def on_before_node(self, node_name, execution_context, config, received_inputs):
            return {"started": time.perf_counter()}

        def on_after_node(self, node_name, execution_context, config, output, input_hook_data):
            if _profile is None:
                return
            node = execution_context.graph_schema.nodes.get(node_name)
            part = node.uses.__name__ if node is not None else node_name
            _profile.add(f"graph: {part}", time.perf_counter() - input_hook_data["started"])

    return NodeTimer


def _timed_coroutine(
    original: Callable[..., Any], part_of: Callable[..., str]
) -> Callable[..., Any]:
    @functools.wraps(original)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            if _profile is not None:
                _profile.add(part_of(*args, **kwargs), time.perf_counter() - started)

    return timed


def install() -> None:
    """Put the timers in place when ``KOERS_TURN_PROFILE`` is set (once: ``install_all``)."""
    global _profile
    path = os.environ.get(ENV_VARIABLE, "").strip()
    if not path:
        return
    _profile = TurnProfile(Path(path))

    from rasa.core.processor import MessageProcessor
    from rasa.engine.runner.dask import DaskGraphRunner

    from bot.rasa_ext.patches.action_calls import PooledEndpointConfig
    from bot.rasa_ext.stores import ScrubbingSQLTrackerStore

    node_timer = _node_hook_class()()
    original_init = DaskGraphRunner.__init__

    @functools.wraps(original_init)
    def init_with_timer(
        self: Any, graph_schema: Any, model_storage: Any, execution_context: Any, hooks: Any = None
    ) -> None:
        original_init(
            self, graph_schema, model_storage, execution_context, [*(hooks or []), node_timer]
        )

    DaskGraphRunner.__init__ = init_with_timer

    original_handle = MessageProcessor.handle_message

    @functools.wraps(original_handle)
    async def handle_message(self: Any, message: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original_handle(self, message)
        finally:
            if _profile is not None:
                _profile.turn_done(time.perf_counter() - started)

    MessageProcessor.handle_message = handle_message
    MessageProcessor.fetch_tracker_and_update_session = _timed_coroutine(
        MessageProcessor.fetch_tracker_and_update_session, lambda *a, **k: "tracker read"
    )
    MessageProcessor.save_tracker = _timed_coroutine(
        MessageProcessor.save_tracker, lambda *a, **k: "tracker write (incl. scrubbing)"
    )

    MessageProcessor._run_action = _timed_coroutine(
        MessageProcessor._run_action, lambda *a, **k: "actions (incl. action server calls)"
    )
    MessageProcessor.run_action_extract_slots = _timed_coroutine(
        MessageProcessor.run_action_extract_slots,
        lambda *a, **k: "slot extraction after the message (incl. action server calls)",
    )
    # Forms call their validation action from inside the built-in form action, so the action
    # server's round trips are timed where every call goes: the pooled endpoint (our class).
    PooledEndpointConfig.request = _timed_coroutine(
        PooledEndpointConfig.request, lambda *a, **k: "action server round trips (inside actions)"
    )

    original_serialise = ScrubbingSQLTrackerStore.serialise_event

    @functools.wraps(original_serialise)
    def serialise_event(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original_serialise(self, *args, **kwargs)
        finally:
            if _profile is not None:
                _profile.add("scrubbing (inside the tracker write)", time.perf_counter() - started)

    ScrubbingSQLTrackerStore.serialise_event = serialise_event  # type: ignore[method-assign]
