"""Saving and loading estimators as one safe file: :func:`save` and :func:`load`.

The file format is :mod:`~sklearn_seq2seq._persistence.archive`'s (JSON metadata and
a Keras model, no pickle); loading builds the estimator from it, executing
nothing from the file.
"""

from __future__ import annotations

import os

from ._estimator import Seq2SeqLSTM
from ._input.codec import Codec
from ._persistence.archive import (
    MODEL_FILE,
    fitted_state,
    keras_model,
    read,
    save,
    tokenizer_from_json,
)

__all__ = ["load", "save"]

# A fixed table: nothing is imported by a name read from a file.
ESTIMATOR_CLASSES = {"Seq2SeqLSTM": Seq2SeqLSTM}


def load(path: str | os.PathLike) -> Seq2SeqLSTM:
    """Load an estimator saved by :func:`save` (or ``Seq2SeqLSTM.save``).

    Nothing in the file is executed: the metadata are JSON, and the Keras
    model is loaded with ``safe_mode=True``.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.

    Returns
    -------
    estimator : Seq2SeqLSTM
        The estimator, fitted if it was when saved.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        If ``path`` is not a file.
    ValueError
        If the file is not a sklearn_seq2seq model file, is truncated or
        corrupted, was written by a newer format version, or its Keras
        model needs unsafe deserialisation (e.g. a ``Lambda`` layer).
    """
    path = os.fspath(path)
    metadata, model_bytes, tokenizer_models = read(path)
    try:
        return _estimator_from(metadata, model_bytes, tokenizer_models, path)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path!r} holds malformed metadata ({error!r}).") from error


def _estimator_from(metadata, model_bytes, tokenizer_models, path):
    name = metadata["class"]
    if name not in ESTIMATOR_CLASSES:
        raise ValueError(f"Unknown estimator class {name!r} in the model file.")
    params = metadata["params"]
    params = {**params, "tokenizer": tokenizer_from_json(params.get("tokenizer"))}
    if isinstance(params.get("output_length_limit"), list):  # JSON has no tuples
        params["output_length_limit"] = tuple(params["output_length_limit"])
    estimator = ESTIMATOR_CLASSES[name](**params)
    if metadata["fitted"] is None:
        return estimator
    if model_bytes is None:
        raise ValueError(f"{path!r} has fitted state but no {MODEL_FILE}.")
    state = fitted_state(metadata["fitted"], tokenizer_models)
    state["max_output_length_"] = state["n_outputs_"]
    state["classes_"] = Codec(
        state["source_vocabulary_"],
        state["target_vocabulary_"],
        state["_target_kind"],
        state["_ends_with_eos"],
        state["n_outputs_"],
    ).classes_attribute
    state["model_"] = keras_model(model_bytes, path)
    # As pickle restores an estimator: its own __setstate__ finishes it.
    estimator.__setstate__({**estimator.__getstate__(), **state})
    return estimator
