"""Which Rasa function a patch replaces, and the fingerprint of the source it was written for.

Every patch module lists its :class:`PatchedFunction` records in ``TARGETS``. The sha256 of
the original's source (``inspect.getsource``) is what ``tests/rasa_ext/test_patches.py``
compares, so a Rasa upgrade that changes a patched function fails that test instead of
silently running a patch written for other code.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PatchedFunction:
    """``module:owner.attribute`` of Rasa, and the sha256 of its source in the Rasa we know."""

    module: str
    owner: str
    attribute: str
    source_sha256: str

    def __str__(self) -> str:
        return f"{self.module}.{self.owner}.{self.attribute}"

    def owner_class(self) -> Any:
        return getattr(importlib.import_module(self.module), self.owner)

    def current(self) -> Any:
        """What the owner holds now (a function, staticmethod or classmethod), unpatched or not."""
        return self.owner_class().__dict__[self.attribute]


def source_sha256(raw: Any) -> str:
    """sha256 of the source of a function, staticmethod or classmethod."""
    function = getattr(raw, "__func__", raw)
    return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()
