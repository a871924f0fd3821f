"""The private scikit-learn and Keras APIs this package relies on, in one place.

scikit-learn's and Keras's own classes use them, but they may change
without a deprecation cycle: ``tests/test_private_api.py`` fails loudly,
naming the API, when one moves.

* ``sklearn.base._fit_context``: validates the parameters before ``fit``,
  as scikit-learn's estimators do.
* ``sklearn.utils.validation._check_feature_names_in``: the input
  feature names of ``get_feature_names_out``, as ``OneHotEncoder`` reads
  them.
* ``sklearn.utils._param_validation``: ``HasMethods``, ``Interval``,
  ``StrOptions`` and ``validate_parameter_constraints``, the constraint types of
  ``_parameter_constraints``.
* ``_doc_link_module`` and ``_doc_link_template`` of scikit-learn's HTML
  representation: the estimators' "?" link opens their page of the API
  reference (:data:`DOC_LINK_TEMPLATE`).
* ``keras.optimizers.Optimizer._clip_gradients`` and
  ``_all_reduce_sum_gradients`` (TensorFlow backend): overridden by
  :class:`~sklearn_seq2seq._training.recipe.Adam` to clip the summed gradient under
  ``tf.distribute``; ``_update_model_variables_moving_average``, overridden
  to warm the weight average up, and ``_model_variables_moving_average``,
  the averages (also read by Keras's ``SwapEMAWeights``), which a warm
  start resets to the weights.
* The weight layout of Keras's recurrent cells (``kernel``,
  ``recurrent_kernel``, ``bias``; GRU's ``reset_after`` bias of shape
  ``(2, 3 * units)``; gate orders i, f, c, o and z, r, h): read by
  :class:`~sklearn_seq2seq._network.ops.Cell`, checked against the Keras
  layers by ``tests/test_network_equivalence.py``.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _check_feature_names_in

__all__ = [
    "DOC_LINK_TEMPLATE",
    "HasMethods",
    "KERAS_OPTIMIZER_HOOKS",
    "Interval",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "validate_parameter_constraints",
]

# Keras optimizer methods recipe.Adam overrides, with their parameters.
KERAS_OPTIMIZER_HOOKS = {
    "_clip_gradients": ("self", "grads"),
    "_all_reduce_sum_gradients": ("self", "grads_and_vars"),
    "_update_model_variables_moving_average": ("self", "trainable_variables"),
}

# Where .readthedocs.yaml publishes the docs site, and each estimator's page
# of its API reference (docs/api.rst), for the link of the HTML repr.
DOCS_URL = "https://sklearn-seq2seq.readthedocs.io/en/stable/"
DOC_LINK_TEMPLATE = DOCS_URL + "generated/sklearn_seq2seq.{estimator_name}.html"
