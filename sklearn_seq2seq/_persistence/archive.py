"""The model file: one zip archive, JSON metadata and a Keras model, no pickle.

A saved estimator is one zip file holding

* ``estimator.json``: the format name and version, the package version,
  the parameters and the fitted state (vocabularies, output layout,
  history) as plain JSON;
* ``model.keras``: the training model in Keras's own format (architecture
  as JSON config, weights and optimizer state as HDF5), loaded with Keras's
  ``safe_mode`` on, which refuses ``Lambda`` layers and any class that is
  not a registered Keras object;
* ``tokenizer/source.model`` and ``tokenizer/target.model``, with a fitted
  tokenizer: its SentencePiece models as the bytes SentencePiece wrote
  (protobuf data, no code).  Format version 2 added them; files of version
  1 still load.

This module writes and reads that file and knows no estimator class: it
reads an estimator through scikit-learn's ``get_params`` and the pickling
state (``__getstate__``), the same state pickle stores.
:mod:`~sklearn_seq2seq.persistence` builds estimators from it.

Pickle and joblib (``__getstate__``) stay the way to save an estimator
with Keras callbacks in its parameters or tokens JSON cannot hold; load
those only from sources you trust.
"""

import json
import os
import tempfile
import uuid
import zipfile
import zlib

import numpy as np

from .._input.tokenizers import SentencePieceTokenizer
from .._input.vocabulary import Vocabulary
from .._runtime.startup import import_tensorflow
from .._version import __version__

FORMAT = "sklearn-seq2seq"
FORMAT_VERSION = 2
METADATA_FILE = "estimator.json"
MODEL_FILE = "model.keras"
# A fitted tokenizer's model bytes: attribute -> file in the archive.
TOKENIZER_FILES = {
    "source_model_": "tokenizer/source.model",
    "target_model_": "tokenizer/target.model",
}
# A fixed table: nothing is imported by a name read from a file.
TOKENIZER_CLASSES = {"SentencePieceTokenizer": SentencePieceTokenizer}

# Fitted attributes stored as they are (JSON-ready numbers, strings, lists).
_PLAIN_FITTED = (
    "n_outputs_",
    "n_features_in_",
    "history_",
    "n_iter_",
    "best_loss_",
    "best_validation_score_",
    "validation_scores_",
    "best_epoch_",
    "_target_kind",
    "_ends_with_eos",
    "_architecture",
    "output_length_limit_",
)


def save(estimator, path):
    """Save a fitted or unfitted estimator to ``path`` without pickle.

    The file is written next to its destination and renamed into place,
    so an interrupted save never leaves a truncated file at ``path``.

    Parameters
    ----------
    estimator : Seq2SeqLSTM
        The estimator.  Its ``callbacks`` parameter is not saved (Keras
        callbacks are Python objects, not data); a ``RandomState``
        instance as ``random_state`` is saved as None.
    path : str or os.PathLike
        Destination file.

    Raises
    ------
    TypeError
        If a vocabulary holds tokens JSON cannot represent (only ints,
        floats, strings, booleans and tuples of them can be saved).
    """
    state = estimator.__getstate__()  # the fitted model as .keras bytes
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_version": package_version(),
        "class": type(estimator).__name__,
        "params": _params(estimator),
        "fitted": _fitted_state(state),
    }
    path = os.fspath(path)
    # A new name beside the destination (same file system, so the rename is
    # atomic); opened like any new file, so the user's umask applies.
    partial = os.path.join(
        os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.{uuid.uuid4().hex}"
    )
    try:
        with open(partial, "xb") as file, zipfile.ZipFile(file, "w") as archive:
            archive.writestr(
                METADATA_FILE, json.dumps(metadata, default=_numpy_scalar), zipfile.ZIP_DEFLATED
            )
            if "model_" in state:
                archive.writestr(MODEL_FILE, state["model_"])
            if state.get("tokenizer_") is not None:
                for attribute, name in TOKENIZER_FILES.items():
                    archive.writestr(name, getattr(state["tokenizer_"], attribute))
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise


def read(path):
    """The metadata and the Keras model bytes of a model file.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.

    Returns
    -------
    metadata : dict
        The checked ``estimator.json``.
    model_bytes : bytes or None
        The ``.keras`` archive; None for an unfitted estimator.
    tokenizer_models : dict of str to bytes
        A fitted tokenizer's model bytes by attribute; empty without one.

    Raises
    ------
    ValueError
        If the file is not a readable model file of a version this
        package reads.
    """
    path = os.fspath(path)  # a missing path or a folder: open's own OSError
    try:
        with zipfile.ZipFile(path) as archive:
            metadata = _read_metadata(archive, path)
            names = set(archive.namelist())
            model_bytes = archive.read(MODEL_FILE) if MODEL_FILE in names else None
            tokenizer_models = {
                attribute: archive.read(name)
                for attribute, name in TOKENIZER_FILES.items()
                if name in names
            }
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ValueError(
            f"{path!r} is not a sklearn_seq2seq model file, or is truncated or corrupted "
            f"(not a readable zip archive: {error})."
        ) from error
    return metadata, model_bytes, tokenizer_models


def fitted_state(fitted, tokenizer_models=None):
    """The fitted attributes a model file's ``"fitted"`` entry holds, as Python objects.

    Parameters
    ----------
    fitted : dict
        ``metadata["fitted"]``.
    tokenizer_models : dict of str to bytes or None, default=None
        The fitted tokenizer's model bytes, as :func:`read` returns them.

    Returns
    -------
    state : dict
        Fitted attributes by name (vocabularies as
        :class:`~sklearn_seq2seq._input.vocabulary.Vocabulary`); the output
        layout derived from them (``classes_``) is not included.
    """
    state = {name: fitted[name] for name in _PLAIN_FITTED if name in fitted}
    if state.get("output_length_limit_") is not None:
        state["output_length_limit_"] = tuple(state["output_length_limit_"])
    if "feature_names_in_" in fitted:
        state["feature_names_in_"] = np.asarray(fitted["feature_names_in_"], dtype=object)
    state["source_vocabulary_"] = vocabulary_from_json(fitted["source_vocabulary"])
    state["target_vocabulary_"] = vocabulary_from_json(fitted["target_vocabulary"])
    state["loss_curve_"] = state["history_"]["loss"]
    state["tokenizer_"] = None
    if fitted.get("tokenizer") is not None:
        if set(tokenizer_models or {}) != set(TOKENIZER_FILES):
            raise ValueError(
                f"a fitted tokenizer without its files {list(TOKENIZER_FILES.values())}"
            )
        state["tokenizer_"] = tokenizer_from_json(fitted["tokenizer"])
        vars(state["tokenizer_"]).update(tokenizer_models)
    return state


def tokenizer_to_json(tokenizer):
    """A tokenizer parameter as JSON-ready data: its class name and parameters."""
    if tokenizer is None:
        return None
    name = type(tokenizer).__name__
    if TOKENIZER_CLASSES.get(name) is not type(tokenizer):
        raise TypeError(
            f"A {name} tokenizer cannot be saved safely: only "
            f"{', '.join(TOKENIZER_CLASSES)} can.  Use pickle or joblib (and load only "
            "trusted files)."
        )
    return {"class": name, "params": tokenizer.get_params()}


def tokenizer_from_json(data):
    """The unfitted tokenizer of :func:`tokenizer_to_json`'s data."""
    if data is None:
        return None
    if data["class"] not in TOKENIZER_CLASSES:
        raise ValueError(f"Unknown tokenizer class {data['class']!r} in the model file.")
    return TOKENIZER_CLASSES[data["class"]](**data["params"])


def _read_metadata(archive, path):
    try:
        metadata = json.loads(archive.read(METADATA_FILE))
    except (KeyError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(
            f"{path!r} is not a sklearn_seq2seq model file: no readable {METADATA_FILE}."
        ) from error
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ValueError(f"{path!r} is not a sklearn_seq2seq model file.")
    version = metadata.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{path!r} has format version {version!r}; this sklearn_seq2seq "
            f"({package_version()}) reads versions up to {FORMAT_VERSION}. Upgrade the package."
        )
    return metadata


def _params(estimator):
    params = estimator.get_params(deep=False)
    params["callbacks"] = None
    params["tokenizer"] = tokenizer_to_json(params["tokenizer"])
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        params["random_state"] = None
    return params


def _fitted_state(state):
    """The JSON ``"fitted"`` entry of an estimator's pickling state; None if unfitted."""
    if "model_" not in state:
        return None
    fitted = {name: state[name] for name in _PLAIN_FITTED if name in state}
    if "n_features_in_" in fitted:
        fitted["n_features_in_"] = int(fitted["n_features_in_"])
    if "feature_names_in_" in state:
        fitted["feature_names_in_"] = [str(name) for name in state["feature_names_in_"]]
    fitted["source_vocabulary"] = vocabulary_to_json(state["source_vocabulary_"])
    fitted["target_vocabulary"] = vocabulary_to_json(state["target_vocabulary_"])
    fitted["tokenizer"] = tokenizer_to_json(state.get("tokenizer_"))
    return fitted


def vocabulary_to_json(vocabulary):
    """A vocabulary as JSON-ready data (its dtype and tokens)."""
    tokens = vocabulary.tokens
    dtype = "object" if tokens.dtype == object else tokens.dtype.str
    return {"dtype": dtype, "tokens": [_token_to_json(token) for token in tokens.tolist()]}


def vocabulary_from_json(data):
    """The vocabulary of :func:`vocabulary_to_json`'s data."""
    values = [_token_from_json(token) for token in data["tokens"]]
    if data["dtype"] != "object":
        return Vocabulary(np.array(values, dtype=np.dtype(data["dtype"])))
    tokens = np.empty(len(values), dtype=object)
    tokens[:] = values
    return Vocabulary(tokens)


def _numpy_scalar(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{value!r} of type {type(value).__name__} cannot be saved as JSON.")


def _token_to_json(token):
    if isinstance(token, np.generic):
        token = token.item()
    if isinstance(token, (bool, int, float, str)):
        return token
    if isinstance(token, tuple):
        return {"tuple": [_token_to_json(item) for item in token]}
    raise TypeError(
        f"Token {token!r} of type {type(token).__name__} cannot be saved safely: only ints, "
        "floats, strings, booleans and tuples of them can.  Use pickle or joblib (and load "
        "only trusted files)."
    )


def _token_from_json(value):
    if isinstance(value, dict):
        return tuple(_token_from_json(item) for item in value["tuple"])
    return value


def keras_bytes(model):
    """A Keras training model as the bytes of a ``.keras`` archive."""
    # Keras saves to named ``.keras`` files only, not to buffers.
    with tempfile.TemporaryDirectory() as directory:
        keras_path = os.path.join(directory, MODEL_FILE)
        model.save(keras_path)
        with open(keras_path, "rb") as file:
            return file.read()


def keras_model(model_bytes, path):
    """The model of ``.keras`` archive bytes, loaded with ``safe_mode`` on."""
    import_tensorflow()
    import keras

    from .._training import fit  # noqa: F401  registers SequenceAccuracy for the compiled model

    with tempfile.TemporaryDirectory() as directory:
        keras_path = os.path.join(directory, MODEL_FILE)
        with open(keras_path, "wb") as file:
            file.write(model_bytes)
        try:
            return keras.saving.load_model(keras_path, safe_mode=True)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"{path!r}: its Keras model cannot be loaded safely ({error})."
            ) from error


def package_version():
    return __version__


def pickled_state(state, *, dropped):
    """An estimator's pickle state: its model as ``.keras`` bytes, ``dropped`` left out.

    Keras's own format, not Keras's pickling: unpickling then imports this
    package's layers before it rebuilds the model.
    """
    state = {name: value for name, value in state.items() if name not in dropped}
    if "model_" in state:
        state["model_"] = keras_bytes(state["model_"])
    return state


def unpickled_state(state):
    """The state :func:`pickled_state` gave, with its model loaded again."""
    if isinstance(state.get("model_"), bytes):
        state = {**state, "model_": keras_model(state["model_"], "pickled estimator")}
    return state
