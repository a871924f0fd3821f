"""The training recipe: batch size, optimizer, clipping, averaging, loss, schedule.

Everything here but the batch-size and epoch rules is Keras's own
machinery, configured: Adam with clipping by global norm, decoupled
weight decay (Keras's ``weight_decay``, as ``AdamW``) and an average of
the weights (``use_ema``, swapped into the model by Keras's
``SwapEMAWeights``), the masked sequence cross-entropy (label-smoothed on
real target positions only), Keras's decay schedules evaluated once per
fit and applied before every batch by a callback, Keras's
``ReduceLROnPlateau``, and Keras's ``EarlyStopping`` taught to anneal the
rate before it stops.  The estimator only turns its parameters into
these objects; ``benchmarks/recipe.py`` is the sweep the defaults come
from.
"""

import keras
import numpy as np
import tensorflow as tf

from .._input.codec import PAD_LABEL

__all__ = [
    "Adam",
    "AnnealingStop",
    "SmoothedSequenceCrossentropy",
    "StepLearningRate",
    "averaging_callbacks",
    "compile_model",
    "learning_rate_callbacks",
    "planned_epochs",
    "step_learning_rates",
    "training_batch_size",
]

SCHEDULES = ("constant", "linear", "cosine", "plateau")
# "plateau" divides the rate by 5 after 2 epochs without improvement, as
# MLPClassifier's learning_rate="adaptive" does.
PLATEAU_FACTOR = 0.2
PLATEAU_PATIENCE = 2
# batch_size="auto": powers of two from 16 to 128, the largest that still
# gives an epoch about this many batches (benchmarks/recipe.py: at 10
# epochs, small data sets learn far more from more, smaller steps).
AUTO_BATCHES_PER_EPOCH = 300
AUTO_BATCH_RANGE = (16, 128)
# epochs="auto": at least this many optimizer steps, in 10 to 50 epochs
# (benchmarks/recipe.py: small data sets keep learning past 10 epochs).
AUTO_STEPS = 4_000
AUTO_EPOCH_RANGE = (10, 50)


def training_batch_size(batch_size, n_samples):
    """Sequences per training batch, at most ``n_samples``.

    Parameters
    ----------
    batch_size : int or "auto"
        The estimator's parameter.  ``"auto"`` is the largest power of two
        in ``AUTO_BATCH_RANGE`` with at least ``AUTO_BATCHES_PER_EPOCH``
        batches per epoch, or the smallest of the range.
    n_samples : int
        Training samples.

    Returns
    -------
    batch_size : int

    Examples
    --------
    >>> [training_batch_size("auto", n) for n in (10, 2_000, 10_000, 100_000)]
    [10, 16, 32, 128]
    >>> training_batch_size(256, 100)
    100
    """
    if batch_size == "auto":
        smallest, largest = AUTO_BATCH_RANGE
        batch_size = smallest
        while batch_size < largest and 2 * batch_size * AUTO_BATCHES_PER_EPOCH <= n_samples:
            batch_size *= 2
    return min(batch_size, n_samples)


def planned_epochs(epochs, batches_per_epoch):
    """Epochs a fit plans its schedule over (early stopping may end it sooner).

    Parameters
    ----------
    epochs : int or "auto"
        The estimator's parameter.  ``"auto"`` plans enough epochs for
        ``AUTO_STEPS`` optimizer steps, within ``AUTO_EPOCH_RANGE``.
    batches_per_epoch : int
        Optimizer steps per epoch.

    Returns
    -------
    epochs : int

    Examples
    --------
    >>> [planned_epochs("auto", n) for n in (10, 125, 313, 782)]
    [50, 32, 13, 10]
    >>> planned_epochs(3, 125)
    3
    """
    if epochs != "auto":
        return epochs
    smallest, largest = AUTO_EPOCH_RANGE
    return int(np.clip(-(-AUTO_STEPS // batches_per_epoch), smallest, largest))


def _n_replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync


@keras.saving.register_keras_serializable(package="sklearn_seq2seq")
class Adam(keras.optimizers.Adam):
    """Keras's Adam, with three fixes for the TensorFlow backend and two for averaging.

    * No all-reduce when there is one replica.  Keras sums gradients over
      replicas even with a single one, through ``tf.custom_gradient``,
      which registers every traced train step in a global TensorFlow
      registry that is never emptied (tensorflow#97697): each fit in a
      process would keep its whole train graph alive.  Summing over one
      replica is the identity, so it is skipped; with several replicas
      (``tf.distribute``) Keras's sum runs.
    * Embedding gradients (``tf.IndexedSlices``, one slice per looked-up
      token, repeated tokens repeated) are summed into a dense gradient
      first.  Keras squares the slices one by one, so a token seen ``k``
      times in a batch would enter the second moment as a sum of ``k``
      squares instead of the square of its gradient; dense, embeddings
      train exactly as the one-hot inputs they stand for.
    * Clipping by global norm applies to the gradient of the whole batch.
      Keras clips each replica's share before summing them, so with
      several replicas the sum is clipped instead (one replica: Keras's
      own clipping, unchanged).
    * The weight average (``use_ema``) warms up as TensorFlow's
      ``ExponentialMovingAverage(num_updates=step)``: its momentum is
      ``min(ema_momentum, (1 + step) / (10 + step))``, so a short fit
      averages its last steps, not its initial weights.
    * ``fit`` leaves the weights as they are at its end.  Keras would
      overwrite them with the average; :func:`averaging_callbacks` has
      put the average in the model at every epoch's end already, and
      early stopping may have restored an earlier epoch's average since.
    """

    def _clip_gradients(self, grads):
        if _n_replicas() > 1:
            return grads  # clipped after the all-reduce
        return super()._clip_gradients(grads)

    def _all_reduce_sum_gradients(self, grads_and_vars):
        if _n_replicas() == 1:
            return list(grads_and_vars)
        summed = super()._all_reduce_sum_gradients(grads_and_vars)
        clipped = super()._clip_gradients([gradient for gradient, _ in summed])
        return [(gradient, variable) for gradient, (_, variable) in zip(clipped, summed)]

    def update_step(self, gradient, variable, learning_rate):
        if isinstance(gradient, tf.IndexedSlices):
            gradient = tf.convert_to_tensor(gradient)
        super().update_step(gradient, variable, learning_rate)

    def _update_model_variables_moving_average(self, trainable_variables):
        step = tf.cast(self.iterations, tf.float32)
        momentum = tf.minimum(float(self.ema_momentum), (1.0 + step) / (10.0 + step))
        momentum *= tf.cast(step > 0, tf.float32)  # the first step copies the weights
        share = 1.0 - momentum
        # average -= (1 - momentum) * (average - weights), one variable after
        # the other and in place: one temporary of one variable's size at a
        # time (Keras's update holds three per variable, all at once).
        previous = []
        for variable, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is None:
                continue
            with tf.control_dependencies(previous):
                step_share = tf.cast(share, variable.dtype)
                difference = average.value - tf.convert_to_tensor(variable)
                previous = [average.value.assign_sub(step_share * difference, read_value=False)]

    def finalize_variable_values(self, var_list):
        pass  # see the class docstring


@keras.saving.register_keras_serializable(package="sklearn_seq2seq")
class SmoothedSequenceCrossentropy(keras.losses.Loss):
    """Label-smoothed cross-entropy over the real positions of target sequences.

    The target distribution puts ``1 - label_smoothing`` on the true token
    and spreads ``label_smoothing`` evenly over all classes (as Keras's
    ``CategoricalCrossentropy(label_smoothing=...)``, without building
    one-hot labels).  Positions labelled ``PAD_LABEL`` (padding) count for
    nothing, and the loss is the mean over the real positions of the
    batch, as ``SparseCategoricalCrossentropy(ignore_class=PAD_LABEL)``
    computes it; ``label_smoothing=0`` gives the same value.

    Parameters
    ----------
    label_smoothing : float, default=0.1
        Share of the target mass spread over all classes.
    name : str, default="smoothed_sequence_crossentropy"
        Loss name.
    **kwargs
        Passed to :class:`keras.losses.Loss`.

    Examples
    --------
    >>> import numpy as np
    >>> loss = SmoothedSequenceCrossentropy(label_smoothing=0.0)
    >>> logits = np.log(np.array([[[0.5, 0.5], [0.9, 0.1]]], dtype="float32"))
    >>> round(float(loss(np.array([[0, PAD_LABEL]]), logits)), 4)  # -log 0.5
    0.6931
    """

    def __init__(self, label_smoothing=0.1, name="smoothed_sequence_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        y_true = tf.cast(y_true, tf.int32)
        real = tf.not_equal(y_true, PAD_LABEL)
        log_normaliser = tf.reduce_logsumexp(y_pred, axis=-1)
        true_logit = tf.gather(y_pred, tf.where(real, y_true, 0), batch_dims=y_true.shape.rank)
        # -log p(true) and the mean over classes of -log p(class).
        true_loss = log_normaliser - true_logit
        uniform_loss = log_normaliser - tf.reduce_mean(y_pred, axis=-1)
        smoothing = tf.cast(self.label_smoothing, y_pred.dtype)
        loss = (1 - smoothing) * true_loss + smoothing * uniform_loss
        loss = tf.where(real, loss, tf.zeros_like(loss))
        n_real = tf.reduce_sum(tf.cast(real, loss.dtype))
        # One value for the batch, so Keras's "sum_over_batch_size" keeps it.
        return tf.math.divide_no_nan(tf.reduce_sum(loss), n_real)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def compile_model(
    model,
    metrics,
    *,
    learning_rate,
    global_clipnorm=None,
    label_smoothing=0.0,
    ema_momentum=None,
    weight_decay=0.0,
):
    """Compile with Adam (clipped, decoupled weight decay, averaged) and the masked sequence loss.

    Parameters
    ----------
    model : keras.Model
        The training model (logits out).
    metrics : list of keras.metrics.Metric
        Metrics to report.
    learning_rate : float
        Adam's (starting) learning rate; the schedule callbacks change it
        during ``fit``.
    global_clipnorm : float or None, default=None
        Clip the gradients so that their global norm is at most this;
        None does not clip.
    label_smoothing : float, default=0.0
        Label smoothing of the loss; 0 uses Keras's own
        ``SparseCategoricalCrossentropy`` with the padding ignored.
    ema_momentum : float or None, default=None
        Momentum of Adam's average of the weights (``use_ema``); None
        keeps no average.  ``fit`` needs :func:`averaging_callbacks` then.
    weight_decay : float, default=0.0
        Decoupled weight decay, as Keras's ``AdamW``: every step shrinks
        each weight matrix (biases excluded) by ``weight_decay`` times the
        step's learning rate; 0 does not decay.

    Returns
    -------
    model : keras.Model
        The same model, compiled, its optimizer built.
    """
    if label_smoothing:
        loss = SmoothedSequenceCrossentropy(label_smoothing)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD_LABEL)
    averaging = {} if ema_momentum is None else {"use_ema": True, "ema_momentum": ema_momentum}
    optimizer = Adam(
        learning_rate,
        global_clipnorm=global_clipnorm,
        weight_decay=weight_decay or None,
        **averaging,
    )
    # As AdamW is used for transformers and LSTMs alike: biases are not
    # decayed (a bias has no scale to regularise).
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    # Built here, eagerly: left to Keras, the optimizer builds its slots
    # inside the first traced train step, and the functions that registers
    # with TensorFlow outlive the model.
    model.optimizer.build(model.trainable_variables)
    return model


def step_learning_rates(schedule, *, learning_rate, n_steps, warmup_steps=0, floor=0.0):
    """The learning rate of every step of a fit, from Keras's schedules.

    Parameters
    ----------
    schedule : {"constant", "linear", "cosine", "plateau"}
        ``"linear"`` decays linearly (Keras's ``PolynomialDecay`` with
        ``power=1``) and ``"cosine"`` along a half cosine (``CosineDecay``)
        from ``learning_rate`` to ``floor * learning_rate`` at the last
        step.  ``"constant"`` and ``"plateau"`` hold ``learning_rate``
        (``"plateau"`` lowers it per epoch, see
        :func:`learning_rate_callbacks`).
    learning_rate : float
        Peak learning rate.
    n_steps : int
        Planned training steps (epochs times batches per epoch).
    warmup_steps : int, default=0
        Steps of a linear warm-up from ``learning_rate / warmup_steps`` to
        ``learning_rate``, before the schedule's own steps.
    floor : float, default=0.0
        Last rate of the decaying schedules, as a fraction of
        ``learning_rate``.

    Returns
    -------
    rates : ndarray of shape (n_steps,)
        Learning rate of each step, float32.

    Examples
    --------
    >>> step_learning_rates("linear", learning_rate=1.0, n_steps=5).round(2).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0]
    >>> rates = step_learning_rates("cosine", learning_rate=1.0, n_steps=5, warmup_steps=2)
    >>> rates.round(2).tolist()
    [0.5, 1.0, 1.0, 0.5, 0.0]
    """
    warmup_steps = min(int(warmup_steps), n_steps)
    warmup = learning_rate * np.arange(1, warmup_steps + 1) / max(warmup_steps, 1)
    n_decay = n_steps - warmup_steps
    steps = np.arange(n_decay)
    decay_steps = max(n_decay - 1, 1)  # the last step reaches the floor
    if schedule == "linear":
        decay = keras.optimizers.schedules.PolynomialDecay(
            learning_rate, decay_steps, end_learning_rate=floor * learning_rate, power=1.0
        )(steps)
    elif schedule == "cosine":
        decay = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, alpha=floor)(
            steps
        )
    else:
        decay = np.full(n_decay, learning_rate)
    return np.concatenate([warmup, np.asarray(decay)]).astype(np.float32)


class StepLearningRate(keras.callbacks.Callback):
    """Sets the optimizer's learning rate before every batch from a table.

    The table is the schedule evaluated once for all planned steps
    (:func:`step_learning_rates`); after its last entry the rate is left
    alone (``ReduceLROnPlateau`` may own it then).  The rate in force at
    the end of each epoch is logged as ``learning_rate``.
    :meth:`anneal` re-plans the steps still to come.

    Parameters
    ----------
    rates : ndarray of shape (n_steps,)
        Learning rate of each step of this fit.
    """

    def __init__(self, rates):
        super().__init__()
        self.rates = rates
        self.step = 0
        self.steps_per_epoch = 1
        self._epoch_start = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = self.step

    def on_train_batch_begin(self, batch, logs=None):
        if self.step < len(self.rates):
            self.model.optimizer.learning_rate.assign(self.rates[self.step])
        self.step += 1

    def on_epoch_end(self, epoch, logs=None):
        self.steps_per_epoch = max(self.step - self._epoch_start, 1)
        if logs is not None:
            logs["learning_rate"] = self.current_rate()

    def current_rate(self):
        """The learning rate in force now."""
        return float(self.model.optimizer.learning_rate.numpy())

    def anneal(self, n_epochs, floor_rate):
        """Decay linearly from the rate in force to ``floor_rate`` over ``n_epochs`` epochs.

        The steps after that keep ``floor_rate``.
        """
        n_steps = max(int(n_epochs * self.steps_per_epoch), 1)
        decay = np.linspace(self.current_rate(), floor_rate, n_steps + 1)[1:]
        # After the table's last entry the rate stays where it is: the floor.
        self.rates = np.concatenate([self.rates[: self.step], decay]).astype(np.float32)


class AnnealingStop(keras.callbacks.EarlyStopping):
    """Keras's ``EarlyStopping`` that anneals the learning rate before it stops.

    When the monitored score has not improved by ``min_delta`` for
    ``patience`` epochs and the learning rate is still above
    ``floor_rate``, the rest of the schedule is re-planned as a linear
    decay from the rate in force down to ``floor_rate`` over the next
    ``patience`` epochs (:meth:`StepLearningRate.anneal`) and the wait
    starts again; only a stall at the floor stops training.  The rule of
    ``MLPClassifier(learning_rate="adaptive")`` (lower the rate when the
    score stalls, stop once it is small), with Keras's decay in place of
    its division by 5.

    Parameters
    ----------
    schedule : StepLearningRate
        The fit's schedule callback.
    floor_rate : float
        The lowest learning rate.
    **kwargs
        Passed to :class:`keras.callbacks.EarlyStopping`.

    Attributes
    ----------
    annealed_epochs : list of int
        Epochs (from 0) after which the rate was annealed.
    """

    def __init__(self, schedule, floor_rate, **kwargs):
        super().__init__(**kwargs)
        self.schedule = schedule
        self.floor_rate = float(floor_rate)
        self.annealed_epochs = []

    def on_epoch_end(self, epoch, logs=None):
        if self.model.stop_training:  # stopped by someone else (Ctrl-C, a user's callback)
            return super().on_epoch_end(epoch, logs)
        super().on_epoch_end(epoch, logs)
        above_floor = self.schedule.current_rate() > self.floor_rate * (1 + 1e-3)
        if self.model.stop_training and self.stopped_epoch == epoch and above_floor:
            self.model.stop_training = False
            self.stopped_epoch = 0
            self.wait = 0
            self.schedule.anneal(self.patience, self.floor_rate)
            self.annealed_epochs.append(epoch)


def learning_rate_callbacks(
    schedule,
    *,
    learning_rate,
    n_steps,
    warmup_fraction=0.0,
    floor=0.0,
    monitor="loss",
    mode="min",
    tol=0.0,
):
    """The Keras callbacks that drive the learning rate through one fit.

    Parameters
    ----------
    schedule : {"constant", "linear", "cosine", "plateau"}
        See :func:`step_learning_rates`.  ``"plateau"`` adds Keras's
        ``ReduceLROnPlateau``: the rate is multiplied by
        ``PLATEAU_FACTOR`` when ``monitor`` has not improved by ``tol`` for
        ``PLATEAU_PATIENCE`` epochs, down to ``floor * learning_rate``.
    learning_rate : float
        Peak learning rate.
    n_steps : int
        Planned training steps of this fit.
    warmup_fraction : float, default=0.0
        Share of ``n_steps`` spent warming up.
    floor : float, default=0.0
        Lowest rate, as a fraction of ``learning_rate``.
    monitor, mode : str, default="loss", "min"
        What ``"plateau"`` watches (a Keras log name) and which way is
        better.
    tol : float, default=0.0
        Smallest change of ``monitor`` that counts as an improvement.

    Returns
    -------
    callbacks : list of keras.callbacks.Callback
        The step schedule first (it logs ``learning_rate``), then, for
        ``"plateau"``, the plateau callback.
    """
    rates = step_learning_rates(
        schedule,
        learning_rate=learning_rate,
        n_steps=n_steps,
        warmup_steps=int(round(warmup_fraction * n_steps)),
        floor=floor,
    )
    if schedule == "plateau":
        rates = rates[: int(round(warmup_fraction * n_steps))]  # then the plateau rule's
    callbacks = [StepLearningRate(rates)]
    if schedule == "plateau":
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor=monitor,
                mode=mode,
                factor=PLATEAU_FACTOR,
                patience=PLATEAU_PATIENCE,
                min_delta=tol,
                min_lr=floor * learning_rate,
            )
        )
    return callbacks


def averaging_callbacks(ema_momentum):
    """Keras's ``SwapEMAWeights``: the averaged weights are validated and kept.

    The average replaces the weights for every validation and at every
    epoch's end, where the other callbacks (early stopping, checkpoints)
    see it, and the training weights come back at the next epoch's start.

    Parameters
    ----------
    ema_momentum : float or None
        The compiled optimizer's averaging momentum; None: no averaging.

    Returns
    -------
    callbacks : list of keras.callbacks.Callback
        To run before all other callbacks; empty without averaging.
    """
    if ema_momentum is None:
        return []
    return [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)]
