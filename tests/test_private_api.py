"""The private scikit-learn and Keras APIs the package relies on are still there.

``sklearn_seq2seq._runtime.private_api`` lists them; each failure names the API
that moved, so an upgrade of scikit-learn or Keras breaks here, loudly,
before it breaks a user's fit.
"""

import inspect

import keras
import pytest

from sklearn_seq2seq._runtime import private_api


@pytest.mark.parametrize(
    "name", ["_fit_context", "_check_feature_names_in", "validate_parameter_constraints"]
)
def test_scikit_learn_private_functions_are_importable_and_callable(name):
    assert callable(getattr(private_api, name)), f"sklearn's {name} moved or changed"


def test_scikit_learn_constraint_types_still_check_values():
    from numbers import Integral

    constraints = {"n": [private_api.Interval(Integral, 1, None, closed="left")]}
    private_api.validate_parameter_constraints(constraints, {"n": 2}, caller_name="test")
    with pytest.raises(ValueError, match="must be an int in the range"):
        private_api.validate_parameter_constraints(constraints, {"n": 0}, caller_name="test")
    options = {"s": [private_api.StrOptions({"a"})]}
    with pytest.raises(ValueError, match="must be a str among"):
        private_api.validate_parameter_constraints(options, {"s": "b"}, caller_name="test")


@pytest.mark.parametrize("name", list(private_api.KERAS_OPTIMIZER_HOOKS))
def test_keras_optimizer_hooks_keep_their_names_and_parameters(name):
    method = getattr(keras.optimizers.Adam, name, None)
    assert method is not None, f"keras.optimizers.Optimizer.{name} is gone"
    parameters = tuple(inspect.signature(method).parameters)
    assert parameters == private_api.KERAS_OPTIMIZER_HOOKS[name], (
        f"keras.optimizers.Optimizer.{name} now takes {parameters}"
    )


def test_keras_optimizer_keeps_its_weight_averages_in_one_list():
    weight = keras.Variable([1.0, 2.0])
    optimizer = keras.optimizers.Adam(use_ema=True)
    optimizer.build([weight])
    averages = getattr(optimizer, "_model_variables_moving_average", None)
    assert averages is not None, "keras.optimizers.Optimizer._model_variables_moving_average moved"
    assert [tuple(v.shape) for v in averages] == [(2,)]


@pytest.mark.parametrize(
    "cell, bias_shape", [(keras.layers.LSTMCell, (12,)), (keras.layers.GRUCell, (2, 9))]
)
def test_keras_recurrent_cells_keep_their_weight_layout(cell, bias_shape):
    layer = cell(3)
    layer.build((None, 5))
    assert tuple(layer.kernel.shape) == (5, bias_shape[-1])
    assert tuple(layer.recurrent_kernel.shape) == (3, bias_shape[-1])
    assert tuple(layer.bias.shape) == bias_shape


def test_declared_floors_are_the_versions_ci_pins():
    """pyproject's floors equal .ci/floors.txt's pins (what .ci/run installs and tests)."""
    import re
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    floors = dict(re.fullmatch(r"([\w-]+)>=([\w.]+)", d).groups() for d in declared)
    pins = dict(
        line.split("==")
        for line in (root / ".ci" / "floors.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert {name: pins[name] for name in floors} == floors, "pyproject floors != CI pins"
    assert "keras" in floors  # declared: TensorFlow alone would accept untested ones


@pytest.mark.parametrize("name", ["Seq2SeqLSTM", "SequenceOneHotEncoder"])
def test_html_repr_links_each_estimator_to_its_api_page(name):
    """scikit-learn's doc-link hooks still drive the "?" link of the HTML repr."""
    from pathlib import Path

    from sklearn.utils import estimator_html_repr

    import sklearn_seq2seq

    estimator = getattr(sklearn_seq2seq, name)()
    url = f"{private_api.DOCS_URL}generated/sklearn_seq2seq.{name}.html"
    assert estimator._get_doc_link() == url, "sklearn's _doc_link_* hooks changed"
    assert url in estimator_html_repr(estimator)
    # the page exists: docs/api.rst generates one per listed name
    api = (Path(__file__).parents[1] / "docs" / "api.rst").read_text()
    assert f"\n   {name}\n" in api
