"""The tutorial's greedy decoding loop over Keras inference models, for tests."""

import numpy as np

from sklearn_seq2seq._input.vocabulary import START_ID


def keras_greedy(encoder, decoder, source_ids, n_steps, class_offset, attention):
    """Decode step by step, one Keras decoder call per step.

    Returns the classes of shape (n_samples, n_steps) and the probabilities
    of shape (n_samples, n_steps, n_classes).
    """
    # Eager calls: predict's relaxed retracing would forget the static
    # length that unrolled (short-sequence, CPU) layers need.
    encoded = encoder(source_ids, training=False)
    encoded = [np.asarray(e) for e in (encoded if isinstance(encoded, list) else [encoded])]
    memory, states = (encoded[:1], encoded[1:]) if attention else ([], encoded)
    extra = [memory[0], source_ids] if attention else []
    token = np.full((len(source_ids), 1), START_ID, dtype=np.int32)
    classes, probabilities = [], []
    for _ in range(n_steps):
        proba, *states = (np.asarray(t) for t in decoder([token, *states, *extra], training=False))
        step = proba[:, 0].argmax(axis=1)
        classes.append(step)
        probabilities.append(proba[:, 0])
        token = (step + class_offset).reshape(-1, 1).astype(np.int32)
    return np.stack(classes, axis=1), np.stack(probabilities, axis=1)


def up_to_end(classes):
    """Mask of each row's steps up to and including its first end class (0).

    Past it, a chunk whose rows have all ended stops decoding, so only
    these steps are compared with a loop that ran every step.
    """
    ended = classes == 0
    n_real = np.where(ended.any(axis=1), ended.argmax(axis=1) + 1, classes.shape[1])
    return np.arange(classes.shape[1]) < n_real[:, None]
