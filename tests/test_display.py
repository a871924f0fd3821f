"""Displays draw where they are told, style through matplotlib's keywords."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_seq2seq import AttentionDisplay, TrainingHistoryDisplay  # noqa: E402

HISTORY = {
    "loss": [1.0, 0.6, 0.4],
    "sequence_accuracy": [0.1, 0.5, 0.8],
    "val_loss": [1.1, 0.7, 0.5],
    "val_sequence_accuracy": [0.1, 0.4, 0.7],
}


def test_history_display_draws_on_given_axes_and_passes_style_keywords():
    figure, ax = plt.subplots(1, 2)
    display = TrainingHistoryDisplay(HISTORY, best_epoch=3).plot(ax=ax, linewidth=3, marker="o")
    assert display.figure_ is figure and list(display.axes_) == list(ax)
    assert {line.get_linewidth() for line in display.lines_.values()} == {3}
    assert {line.get_marker() for line in display.lines_.values()} == {"o"}
    assert display.lines_["val_loss"].get_label() == "validation"
    plt.close(figure)


def test_attention_display_draws_on_given_ax_and_passes_imshow_keywords():
    figure, ax = plt.subplots()
    weights = np.array([[0.9, 0.1], [0.2, 0.8]])
    display = AttentionDisplay(weights, ["a", "b"], ["b", "a"])
    display.plot(ax=ax, cmap="magma", interpolation="nearest", vmax=0.5)
    assert display.ax_ is ax and display.image_.get_interpolation() == "nearest"
    assert display.image_.get_clim() == (0, 0.5)
    assert display.image_.get_cmap().name == "magma"
    plt.close(figure)
