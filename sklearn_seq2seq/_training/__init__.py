"""Training: the recipe, its control, and the Keras fit.

``recipe`` chooses the batch size, optimizer, clipping, averaging, loss and
learning-rate schedule; ``control`` runs a fit with scikit-learn's MLP
semantics (early stopping, warm start, rollback on errors); ``fit`` builds
the ``tf.data`` pipeline and calls Keras's ``fit``.
"""
