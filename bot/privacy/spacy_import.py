"""Import spaCy without TensorFlow in processes that do not use it (the action server).

spaCy's thinc probes for TensorFlow at import (``thinc.compat``: ``import tensorflow``); Rasa
installs TensorFlow, so the first preparation sheet (the action server scrubs its answers with
the spaCy NER) pulled TensorFlow in: the action server went from ~140 MB to ~620 MB and the
action waited 5 s longer. The name detector needs neither TensorFlow nor its thinc shims.
When TensorFlow is already loaded (the Rasa server) nothing changes; afterwards TensorFlow can
still be imported as usual.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType

#: Optional backends thinc imports just to see whether they are there (~470 MB for TensorFlow).
PROBED_BACKENDS = ("tensorflow", "torch", "mxnet")
_lock = threading.Lock()


def import_spacy() -> ModuleType:
    """The ``spacy`` module, imported with thinc's backend probes answered "not installed"."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    with _lock:
        blocked = [name for name in PROBED_BACKENDS if name not in sys.modules]
        for name in blocked:
            sys.modules[name] = None  # type: ignore[assignment]  # makes the import fail
        try:
            import spacy  # here, not at the top: the point of this module is this import
        finally:
            for name in blocked:
                if sys.modules.get(name, ModuleType(name)) is None:
                    del sys.modules[name]
    return spacy
