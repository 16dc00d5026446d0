"""Load Rasa's TensorFlow models for prediction without a training step.

Rasa 3.6 (``RasaModel.load``) builds a loaded model by compiling it with an Adam optimizer and
training it for one step on an example, and only then overwrites the weights with the trained
ones. For Koers that training step took most of the server's 100-second start and left the
optimizer's two copies of every weight in memory (for DIET, the response selector and TED:
several hundred MB, never used when predicting).

Here, for prediction (not fine-tuning), the weights are restored on creation instead: the
empty model is told to load the checkpoint, and the prediction on Rasa's own example (which
Rasa runs anyway to trace the prediction graph) creates exactly the layers prediction needs,
each with its trained values. The optimizer's slots in the checkpoint are skipped. The result
is checked: every variable the model created must have come from the checkpoint, otherwise
Rasa's own loading is used. ``tests/conversation/test_model_load.py`` compares the predictions
of both ways of loading on the trained model.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.rasa_ext.patches.target import PatchedFunction

logger = logging.getLogger(__name__)
TARGETS = (
    PatchedFunction(
        "rasa.utils.tensorflow.models",
        "RasaModel",
        "load",
        "84fd81c0fdd01a8048de2d9b5b3022bdbf1e155f7b4d67737eb51ecb0787d292",
    ),
)
_original_load: Any = None  # Rasa's classmethod, kept by install() for the fallback


def load_for_prediction(
    cls: Any,
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Any = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """``RasaModel.load`` without the training step, for prediction; Rasa's own otherwise."""

    def rasa_load() -> Any:
        return _original_load.__func__(
            cls,
            model_file_name,
            model_data_example,
            predict_data_example,
            finetune_mode,
            *args,
            **kwargs,
        )

    if finetune_mode or not predict_data_example:
        return rasa_load()
    started = time.perf_counter()
    model = cls(*args, **kwargs)
    status = model.load_weights(model_file_name)
    try:
        model.run_inference(predict_data_example)
        status.assert_existing_objects_matched()
    except Exception as exc:  # a model this does not fit: take Rasa's way
        logger.warning(
            "Loading %s without a training step failed (%s); using Rasa's load",
            cls.__name__,
            type(exc).__name__,
        )
        return rasa_load()
    status.expect_partial()  # the optimizer's slots are in the checkpoint, on purpose unused
    logger.debug("Loaded %s for prediction in %.1f s", cls.__name__, time.perf_counter() - started)
    return model


def install() -> None:
    """Make ``RasaModel.load`` use :func:`load_for_prediction` (once: ``install_all``)."""
    global _original_load
    from rasa.utils.tensorflow.models import RasaModel

    _original_load = RasaModel.__dict__["load"]
    RasaModel.load = classmethod(load_for_prediction)
