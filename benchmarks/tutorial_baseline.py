"""The origin tutorial's approach, re-implemented as the benchmark's baseline.

Float one-hot arrays built in host memory, three Keras models sharing
layers, Adam with categorical cross-entropy, batch 32 and one epoch; then
decoding one sequence at a time with one ``predict`` call for the encoder
and one per output step for the decoder.  Written from the tutorial's
description, not copied from it.
"""

import keras
import numpy as np


def one_hot(ids, depth):
    """Float one-hot array of integer ids, the tutorial's input format."""
    return np.eye(depth, dtype=np.float32)[ids]


def shifted(Y):
    """Teacher-forcing input: 0 (the start symbol) then Y without its last token."""
    out = np.zeros_like(Y)
    out[:, 1:] = Y[:, :-1]
    return out


def build_models(n_features, n_units):
    """Training model, inference encoder and inference decoder."""
    source = keras.Input(shape=(None, n_features))
    _, h, c = keras.layers.LSTM(n_units, return_state=True)(source)
    target_in = keras.Input(shape=(None, n_features))
    decoder_lstm = keras.layers.LSTM(n_units, return_sequences=True, return_state=True)
    dense = keras.layers.Dense(n_features, activation="softmax")
    seq, _, _ = decoder_lstm(target_in, initial_state=[h, c])
    training = keras.Model([source, target_in], dense(seq))
    encoder = keras.Model(source, [h, c])
    h_in, c_in = keras.Input(shape=(n_units,)), keras.Input(shape=(n_units,))
    step, h_out, c_out = decoder_lstm(target_in, initial_state=[h_in, c_in])
    decoder = keras.Model([target_in, h_in, c_in], [dense(step), h_out, c_out])
    return training, encoder, decoder


def train(X, Y, n_features, n_units=128, batch_size=32, epochs=1):
    """Build and fit the tutorial's models; return (training, encoder, decoder)."""
    training, encoder, decoder = build_models(n_features, n_units)
    training.compile(optimizer="adam", loss="categorical_crossentropy")
    training.fit(
        [one_hot(X, n_features), one_hot(shifted(Y), n_features)],
        one_hot(Y, n_features),
        batch_size=batch_size,
        epochs=epochs,
        verbose=0,
    )
    return training, encoder, decoder


def predict_sequence(encoder, decoder, x, n_steps, n_features):
    """Decode one source sequence: one predict call per step, as the tutorial does."""
    h, c = encoder.predict(one_hot(x[None, :], n_features), verbose=0)
    token = np.zeros((1, 1, n_features), dtype=np.float32)  # the start symbol 0
    output = []
    for _ in range(n_steps):
        probabilities, h, c = decoder.predict([token, h, c], verbose=0)
        best = int(probabilities[0, 0].argmax())
        output.append(best)
        token = one_hot(np.array([[best]]), n_features)
    return output


def predict_batched(encoder, decoder, X, n_steps, n_features):
    """The same greedy decode, batched; used only to score the baseline's model."""
    h, c = encoder.predict(one_hot(X, n_features), verbose=0, batch_size=4096)
    token = np.zeros((len(X), 1), dtype=np.int64)
    output = []
    for _ in range(n_steps):
        probabilities, h, c = decoder.predict(
            [one_hot(token, n_features), h, c], verbose=0, batch_size=4096
        )
        token = probabilities[:, 0].argmax(axis=1)[:, None]
        output.append(token[:, 0])
    return np.stack(output, axis=1)
