"""Run by tests/conversation/test_model_load.py in its own process (one loaded model each).

``python -m tests.conversation.model_load_probe {rasa|koers} MODEL OUT`` loads MODEL with
Rasa's own loading or with Koers's patches (bot.rasa_ext.patches.install_all, as the Rasa server
installs them; the one for loading is bot.rasa_ext.patches.model_load), then writes to OUT
(JSON) the NLU result and the next-action prediction for every held-out text, the load time
and the resident memory.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path


def resident_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


async def probe(agent, texts: list[str]) -> list[dict]:
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        tracker = DialogueStateTracker.from_events(
            "probe",
            [ActionExecuted("action_listen"), UserUttered(text, parse_data=parsed)],
            agent.domain.slots,
        )
        prediction = agent.processor._predict_next_with_tracker(tracker)
        selected = parsed.get("response_selector", {}).get("faq", {}).get("response", {})
        results.append(
            {
                "text": text,
                "ranking": [(r["name"], r["confidence"]) for r in parsed["intent_ranking"]],
                "entities": [
                    (e["entity"], e["start"], e["end"], e["value"]) for e in parsed["entities"]
                ],
                "faq": (selected.get("intent_response_key"), selected.get("confidence")),
                "probabilities": list(prediction.probabilities),
                "policy": prediction.policy_name,
            }
        )
    return results


def main() -> None:
    mode, model, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if mode == "koers":
        from bot.rasa_ext.patches import install_all

        install_all()
    from rasa.core.agent import Agent

    from tests.conversation.test_nlu_holdout import holdout_examples

    started = time.perf_counter()
    agent = Agent.load(model)
    load_seconds = time.perf_counter() - started
    texts = [text for text, _ in holdout_examples()]
    results = asyncio.run(probe(agent, texts))
    out.write_text(
        json.dumps({"load_seconds": load_seconds, "resident_mb": resident_mb(), "results": results})
    )


if __name__ == "__main__":
    main()
