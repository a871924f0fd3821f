"""Plots in scikit-learn's Display style; matplotlib is imported only to draw."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sklearn.utils.validation import check_is_fitted

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ._estimator import Seq2SeqLSTM


def _pyplot(caller):
    """matplotlib.pyplot, or an ImportError that says how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} needs matplotlib: pip install 'sklearn-seq2seq[plot]'."
        ) from error
    return plt


class TrainingHistoryDisplay:
    """Learning curves of a fitted :class:`~sklearn_seq2seq.Seq2SeqLSTM`.

    Two panels: the loss per epoch and the exact-sequence accuracy per
    epoch, each on the training samples and, when early stopping held some
    out, on the validation samples.  Create it with :meth:`from_estimator`.

    Parameters
    ----------
    history : dict of str to list of float
        Keras-style per-epoch history (``loss``, ``sequence_accuracy`` and
        optionally ``val_loss``, ``val_sequence_accuracy``).
    best_epoch : int or None, default=None
        Epoch (1-based) whose weights the model kept, marked on the plot.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        The loss and accuracy panels.
    figure_ : matplotlib Figure
        The figure holding them.
    lines_ : dict of str to matplotlib Line2D
        One line per plotted history entry.

    Examples
    --------
    >>> display = TrainingHistoryDisplay({"loss": [1.0, 0.5], "sequence_accuracy": [0.2, 0.6]})
    >>> display.history["loss"]
    [1.0, 0.5]
    """

    def __init__(self, history: dict[str, list[float]], best_epoch: int | None = None) -> None:
        self.history = history
        self.best_epoch = best_epoch

    @classmethod
    def from_estimator(
        cls, estimator: Seq2SeqLSTM, *, ax: Sequence[Axes] | None = None, **kwargs
    ) -> TrainingHistoryDisplay:
        """Plot the learning curves of a fitted estimator.

        Parameters
        ----------
        estimator : Seq2SeqLSTM
            A fitted estimator.
        ax : sequence of two matplotlib Axes or None, default=None
            Where to draw the loss and the accuracy; None makes a new figure.
        **kwargs : dict
            Passed to matplotlib's ``plot`` for every curve.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, drawn.
        """
        check_is_fitted(estimator)
        display = cls(estimator.history_, best_epoch=estimator.best_epoch_)
        return display.plot(ax=ax, **kwargs)

    def plot(self, *, ax: Sequence[Axes] | None = None, **kwargs) -> TrainingHistoryDisplay:
        """Draw the curves.

        Parameters
        ----------
        ax : sequence of two matplotlib Axes or None, default=None
            Where to draw the loss and the accuracy; None makes a new figure.
        **kwargs : dict
            Passed to matplotlib's ``plot`` for every curve (``linewidth``,
            ``marker``, ...).

        Returns
        -------
        display : TrainingHistoryDisplay
            This display, with ``axes_``, ``figure_`` and ``lines_`` set.
        """
        plt = _pyplot(f"{type(self).__name__}.plot")
        if ax is None:
            _, ax = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
        axes = np.asarray(ax).reshape(-1)
        self.lines_ = {}
        for ax, metric, label in zip(
            axes, ("loss", "sequence_accuracy"), ("loss", "exact-sequence accuracy")
        ):
            for prefix, split in (("", "training"), ("val_", "validation")):
                values = self.history.get(prefix + metric)
                if values is not None:
                    epochs = np.arange(1, len(values) + 1)
                    (self.lines_[prefix + metric],) = ax.plot(
                        epochs, values, **{"label": split, **kwargs}
                    )
            if self.best_epoch is not None:
                ax.axvline(self.best_epoch, color="grey", linestyle=":", label="kept weights")
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.legend()
        self.axes_, self.figure_ = axes, axes[0].figure
        return self


class AttentionDisplay:
    """Heatmap of a decoded sequence's attention over its source tokens.

    Rows are the greedily decoded output tokens (the end symbol included
    for variable-length targets), columns the source tokens.  Create it
    with :meth:`from_estimator`.

    Parameters
    ----------
    weights : ndarray of shape (output length, source length)
        Attention weights; each row sums to 1.
    source_tokens, output_tokens : sequence
        Tick labels of the columns and rows.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The heatmap's axes.
    figure_ : matplotlib Figure
        The figure holding it.
    image_ : matplotlib AxesImage
        The heatmap.

    Examples
    --------
    >>> import numpy as np
    >>> display = AttentionDisplay(np.eye(2), ["a", "b"], ["b", "a"])
    >>> display.weights.shape
    (2, 2)
    """

    def __init__(
        self, weights: np.ndarray, source_tokens: Sequence, output_tokens: Sequence
    ) -> None:
        self.weights = weights
        self.source_tokens = source_tokens
        self.output_tokens = output_tokens

    @classmethod
    def from_estimator(
        cls,
        estimator: Seq2SeqLSTM,
        source: str | Sequence,
        *,
        ax: Axes | None = None,
        cmap: str = "viridis",
        **kwargs,
    ) -> AttentionDisplay:
        """Decode one source sequence and draw its attention.

        Parameters
        ----------
        estimator : Seq2SeqLSTM
            A fitted estimator with attention.
        source : str, sequence of tokens or 1-D array
            One source sequence, as one element of ``fit``'s ``X``; with a
            tokenizer, a sentence, drawn as its subword pieces.
        ax : matplotlib Axes or None, default=None
            Where to draw; None makes a new figure.
        cmap : str or Colormap, default="viridis"
            Colour map of the heatmap.
        **kwargs : dict
            Passed to matplotlib's ``imshow``.

        Returns
        -------
        display : AttentionDisplay
            The display, drawn.
        """
        check_is_fitted(estimator)
        tokenizer = getattr(estimator, "tokenizer_", None)
        if tokenizer is not None:  # a sentence: its subword pieces label the columns
            X, source_tokens = [source], tokenizer.encode([source], side="source")[0]
        elif isinstance(source, str):
            X, source_tokens = [source], list(source)
        elif isinstance(source, np.ndarray) and hasattr(estimator, "n_features_in_"):
            X, source_tokens = source.reshape(1, -1), source.tolist()
        else:
            X, source_tokens = [list(source)], list(source)
        weights, output = estimator.attention_weights(X, return_predictions="pieces")
        weights, output_tokens = weights[0], list(output[0])
        if len(output_tokens) < len(weights):
            output_tokens.append("<end>")
        return cls(weights, source_tokens, output_tokens).plot(ax=ax, cmap=cmap, **kwargs)

    def plot(self, *, ax: Axes | None = None, cmap: str = "viridis", **kwargs) -> AttentionDisplay:
        """Draw the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Where to draw; None makes a new figure.
        cmap : str or Colormap, default="viridis"
            Colour map of the heatmap.
        **kwargs : dict
            Passed to matplotlib's ``imshow`` (``interpolation``, ...).

        Returns
        -------
        display : AttentionDisplay
            This display, with ``ax_``, ``figure_`` and ``image_`` set.
        """
        plt = _pyplot(f"{type(self).__name__}.plot")
        if ax is None:
            _, ax = plt.subplots(layout="constrained")
        style = {"vmin": 0, "vmax": 1, "aspect": "auto", **kwargs}
        self.image_ = ax.imshow(self.weights, cmap=cmap, **style)
        ax.set_xticks(range(len(self.source_tokens)), [str(t) for t in self.source_tokens])
        ax.set_yticks(range(len(self.output_tokens)), [str(t) for t in self.output_tokens])
        ax.set_xlabel("source")
        ax.set_ylabel("output")
        ax.figure.colorbar(self.image_, ax=ax, label="attention")
        self.ax_, self.figure_ = ax, ax.figure
        return self
