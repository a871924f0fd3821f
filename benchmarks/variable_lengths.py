"""Variable-length training and decoding, side by side in one process.

Task: copy sequences whose lengths are drawn uniformly from 1..40 (tokens
1..20, so an end symbol and masking are in play), 20,000 training samples
encoded exactly as ``fit`` encodes them, 128 units.

Training: the identical masked network (built by ``training.new_model``)
on the same ids, one arm per batching, ``EPOCHS`` epochs each; the first
epoch (which traces the graph) is reported apart, and the fastest of the
steady epochs after it is taken (on a shared VM noise only adds time):

* padded: random batches, every one padded to the longest sequence;
* bucketed: what ``Seq2SeqLSTM.fit`` does (``training.make_dataset``);
* plain Keras: a reference a practitioner writes by hand, the ids as
  ragged tensors through ``tf.data``'s ``bucket_by_sequence_length``.

Decoding, on the weights the bucketed arm trained, 10,000 test sequences:

* greedy as ``predict`` runs it now (a chunk stops once every row has
  ended) and without that early exit, as it ran before;
* a hand-written plain-Keras greedy loop with early exit: the Keras
  inference encoder and decoder in a ``tf.function`` ``while_loop``;
* beam search of width 4, against greedy: as ``predict`` runs it (stopped
  once every best hypothesis is final) and to every hypothesis's end;
* ``Seq2SeqLSTM.predict`` of one string (batch 1), median of warm calls.

The decoding arms run again on real data: the digits -> English words
task of ``number_words.py`` (20,000 training numbers, ``NUMBER_WORDS_EPOCHS``
epochs; 10,000 test numbers drawn with another seed), whose outputs are
longer than their sources.

Prints markdown tables and writes JSON.

Run:  python benchmarks/variable_lengths.py [--out benchmarks/results/variable_lengths.json]
Needs: pip install num2words  (``pip install -e ".[benchmark]"``)
"""

import argparse
import json
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from provenance import provenance
from run_benchmarks import sgemm_rate

HERE = Path(__file__).resolve().parent
N_SAMPLES, N_TEST, MAX_LENGTH, N_TOKENS = 20_000, 10_000, 40, 21
N_UNITS, BATCH, EPOCHS = 128, 128, 4
NUMBER_WORDS_EPOCHS = 3  # enough for the words to end where they should, mostly


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def encoded_task(X, Y, codec=None):
    """Samples encoded exactly as fit encodes them (with ``codec`` if given, else a new one)."""
    from sklearn_seq2seq._input.codec import Codec, read_targets
    from sklearn_seq2seq._input.sequences import read_sequences, sequence_kind
    from sklearn_seq2seq._input.vocabulary import Vocabulary

    sources = read_sequences(X, sequence_kind(X))
    tokens, lengths, kind = read_targets(Y, sequence_kind(Y, labels_in_arrays=True))
    if codec is None:
        codec = Codec.learn(Vocabulary.from_tokens(sources.tokens), tokens, lengths, kind)
    data = codec.training_data(
        codec.source_ids(sources.tokens, sources.lengths),
        sources.lengths,
        *codec.training_targets(tokens, lengths),
    )
    return codec, data


def copy_task(n_samples, random_state):
    from sklearn_seq2seq import make_copy

    return make_copy(n_samples, 1, MAX_LENGTH, N_TOKENS, random_state=random_state)


def new_network(codec, data):
    from sklearn_seq2seq._training.fit import new_model

    # The estimator's default recipe.
    recipe = dict(learning_rate=0.01, global_clipnorm=1.0)
    return new_model(data, codec, recipe=recipe, seed=0, n_units=N_UNITS)


def train_package(codec, data, bucketed):
    """Epoch times of training.fit_model: bucketed (fit's batching) or padded."""
    from sklearn_seq2seq._training.fit import fit_model

    model = new_network(codec, data)
    if not bucketed:
        data = data._replace(source_lengths=None, target_lengths=None)
    timer = EpochTimer()
    fit_model(model, data, epochs=EPOCHS, batch_size=BATCH, seed=0, verbose=0, callbacks=[timer])
    return model, timer.seconds


def train_plain_keras(codec, data):
    """Epoch times of a hand-written tf.data bucket_by_sequence_length fit."""
    model = new_network(codec, data)

    def unpadded(source, source_length, decoder_input, labels, target_length):
        return (source[:source_length], decoder_input[:target_length]), labels[:target_length]

    arrays = (
        data.source_ids.astype(np.int32),
        data.source_lengths,
        data.decoder_input_ids.astype(np.int32),
        data.labels.astype(np.int32),
        data.target_lengths,
    )
    boundaries = list(range(8, MAX_LENGTH + 1, 8))
    dataset = (
        tf.data.Dataset.from_tensor_slices(arrays)
        .shuffle(len(data.labels), seed=0, reshuffle_each_iteration=True)
        .map(unpadded, num_parallel_calls=tf.data.AUTOTUNE)
        .bucket_by_sequence_length(
            lambda inputs, labels: tf.shape(labels)[0],
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[BATCH] * (len(boundaries) + 1),
            padding_values=((0, 0), -1),
        )
        .prefetch(tf.data.AUTOTUNE)
    )
    timer = EpochTimer()
    model.fit(dataset, epochs=EPOCHS, verbose=0, callbacks=[timer], shuffle=False)
    return timer.seconds


def best_of(function, repeats=3):
    """Fastest of ``repeats`` warm calls, after one untimed call."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def keras_greedy_loop(model, n_steps, class_offset):
    """A plain-Keras greedy decode with early exit, as written by hand."""
    from sklearn_seq2seq._input.vocabulary import START_ID
    from sklearn_seq2seq._network.model import build_inference_models

    encoder, decoder = build_inference_models(model)

    @tf.function
    def decode(source_ids):
        states = encoder(source_ids, training=False)
        batch = tf.shape(source_ids)[0]
        token = tf.fill([batch, 1], START_ID)
        classes = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
        ended = tf.zeros([batch], tf.bool)

        def running(step, token, states, ended, classes):
            return (step < n_steps) & ~tf.reduce_all(ended)

        def step_once(step, token, states, ended, classes):
            probabilities, *states = decoder([token, *states], training=False)
            step_classes = tf.argmax(probabilities[:, 0], axis=-1, output_type=tf.int32)
            ended = ended | (step_classes == 0)
            token = (step_classes + class_offset)[:, None]
            return step + 1, token, states, ended, classes.write(step, step_classes)

        loop = (tf.constant(0), token, list(states), ended, classes)
        *_, classes = tf.while_loop(running, step_once, loop)
        return tf.transpose(classes.stack())

    return decode


def decoding(model, codec, test_data, *, equal_lengths=True):
    """Decoding throughputs on ``test_data``; the equal-length bar if ``equal_lengths``."""
    from sklearn_seq2seq._decoding.beam import BeamSearchDecoder
    from sklearn_seq2seq._decoding.greedy import GreedyDecoder
    from sklearn_seq2seq._input.vocabulary import N_RESERVED

    ids, lengths = test_data.source_ids.astype(np.int32), test_data.source_lengths
    n_steps, offset = codec.n_steps, codec.class_offset
    early = GreedyDecoder(model, n_steps=n_steps, class_offset=offset, end_class=0)
    every_step = GreedyDecoder(model, n_steps=n_steps, class_offset=offset)
    beam_options = dict(n_steps=n_steps, beam_width=4, class_offset=offset, end_class=0)
    beam = BeamSearchDecoder(model, **beam_options, best_only=True)  # predict's search
    every_hypothesis = BeamSearchDecoder(model, **beam_options)  # predict_nbest's
    keras_loop = keras_greedy_loop(model, n_steps, offset)
    # Cold: the first call traces and compiles (one XLA graph per padded width).
    start = time.perf_counter()
    GreedyDecoder(model, n_steps=n_steps, class_offset=offset, end_class=0)(ids, lengths)
    first_call = time.perf_counter() - start
    calls = {
        "greedy": lambda: early(ids, lengths),
        "greedy_without_early_exit": lambda: every_step(ids, lengths),
        "keras_greedy_loop": lambda: keras_loop(tf.constant(ids)).numpy(),
        "beam_width_4": lambda: beam(ids, lengths),
        "beam_width_4_every_hypothesis": lambda: every_hypothesis(ids, lengths),
    }
    if equal_lengths:
        # Every row as long as the longest source: the fixed-length path.
        rng = np.random.RandomState(2)
        n_ids, longest = codec.source_vocabulary.n_ids, lengths.max()
        full_length = rng.randint(N_RESERVED, n_ids, (len(ids), longest)).astype(np.int32)
        calls["greedy_equal_lengths"] = lambda: early(full_length)
    report = {f"{name}_sequences_per_second": len(ids) / best_of(f) for name, f in calls.items()}
    # The same tokens up to each row's end: the loops decode alike.
    ours, theirs = early(ids, lengths), keras_loop(tf.constant(ids)).numpy()
    n_out = codec.output_lengths(ours)
    agree = np.mean([np.array_equal(a[:n], b[:n]) for a, b, n in zip(ours, theirs, n_out)])
    report["greedy_rows_agreeing_with_keras_loop"] = float(agree)
    report["mean_output_length"] = float(n_out.mean())
    # The least matmul work a greedy decode of these rows can do: each
    # source step one recurrent matmul (the input projection is a row
    # lookup), each decoder step, up to and with the end, also the output
    # layer. No padding, no chunk running past its rows' ends.
    units, n_classes = N_UNITS, model.output_shape[-1]
    recurrent = 2 * units * 4 * units
    decoder_steps = np.minimum(n_out + 1, n_steps)
    flops = lengths * recurrent + decoder_steps * (recurrent + 2 * units * n_classes)
    report["executed_flops_per_sequence"] = float(flops.mean())
    report["greedy_first_call_seconds"] = first_call
    report["mean_source_length"] = float(lengths.mean())
    if equal_lengths:
        # A short sequence should cost less than a long one: the equal-length
        # throughput scaled by max / mean source length is the bar.
        report["equal_lengths_width"] = int(longest)
        report["length_scaled_equal_lengths_sequences_per_second"] = report[
            "greedy_equal_lengths_sequences_per_second"
        ] * (longest / lengths.mean())
    return report


def number_words_decoding():
    """Decoding on the real-data task: digits -> English words (``number_words.py``)."""
    from number_words import number_words

    from sklearn_seq2seq._training.fit import fit_model

    codec, data = encoded_task(*number_words(N_SAMPLES, "en", random_state=0))
    model = new_network(codec, data)
    fit_model(model, data, epochs=NUMBER_WORDS_EPOCHS, batch_size=BATCH, seed=0, verbose=0)
    _, test_data = encoded_task(*number_words(N_TEST, "en", random_state=2), codec=codec)
    report = decoding(model, codec, test_data, equal_lengths=False)
    return {f"number_words_{name}": value for name, value in report.items()}


def batch_one_latency():
    """Median ms of Seq2SeqLSTM.predict on one string, warm."""
    from sklearn_seq2seq import Seq2SeqLSTM

    rng = np.random.RandomState(0)
    X = ["".join(rng.choice(list("abcdefgh"), size=n)) for n in rng.randint(1, 13, size=3000)]
    # attention=None: the network every other arm here measures.
    est = Seq2SeqLSTM(
        n_units=N_UNITS, attention=None, bidirectional=False, epochs=1, random_state=0
    )
    est.fit(X, [x[::-1] for x in X])
    est.predict(["abcdef"])
    times = []
    for _ in range(200):
        start = time.perf_counter()
        est.predict(["abcdef"])
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results" / "variable_lengths.json"))
    args = parser.parse_args()

    X, Y = copy_task(N_SAMPLES, random_state=0)
    codec, data = encoded_task(X, Y)
    padded_tokens = len(X) * (MAX_LENGTH + MAX_LENGTH + 1)
    real_tokens = int(data.source_lengths.sum() + data.target_lengths.sum())
    report = {"n_samples": N_SAMPLES, "max_length": MAX_LENGTH, "n_units": N_UNITS}
    report["sgemm_gflops"] = sgemm_rate() / 1e9
    report["real_token_fraction"] = real_tokens / padded_tokens
    epochs = {}
    _, epochs["padded"] = train_package(codec, data, bucketed=False)
    model, epochs["bucketed"] = train_package(codec, data, bucketed=True)
    epochs["plain_keras"] = train_plain_keras(codec, data)
    for kind, seconds in epochs.items():
        print(kind, [f"{s:.1f} s" for s in seconds], flush=True)
        report[f"{kind}_first_epoch_seconds"] = seconds[0]
        report[f"{kind}_epoch_seconds"] = min(seconds[1:])
    report["speedup"] = report["padded_epoch_seconds"] / report["bucketed_epoch_seconds"]
    report["ratio_to_plain_keras"] = (
        report["bucketed_epoch_seconds"] / report["plain_keras_epoch_seconds"]
    )

    _, test_data = encoded_task(*copy_task(N_TEST, random_state=1), codec=codec)
    report.update(decoding(model, codec, test_data))
    report.update(number_words_decoding())
    report["batch_1_predict_median_ms"] = batch_one_latency()
    for task in ("", "number_words_"):
        report[f"{task}roofline_sequences_per_second"] = (
            report["sgemm_gflops"] * 1e9 / report[f"{task}executed_flops_per_sequence"]
        )

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    report["provenance"] = provenance()
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(markdown(report))


def markdown(r):
    greedy = r["greedy_sequences_per_second"]
    words = r["number_words_greedy_sequences_per_second"]
    return "\n".join(
        [
            "| training: copy task, lengths 1-40, 20k samples | epoch (steady) | first epoch "
            "| ratio |",
            "|---|---|---|---|",
            f"| padded to the longest (random batches) | {r['padded_epoch_seconds']:.1f} s | "
            f"{r['padded_first_epoch_seconds']:.1f} s | {r['speedup']:.2f}x slower |",
            f"| length buckets (`fit`) | {r['bucketed_epoch_seconds']:.1f} s | "
            f"{r['bucketed_first_epoch_seconds']:.1f} s | 1x |",
            f"| plain Keras, `bucket_by_sequence_length` | {r['plain_keras_epoch_seconds']:.1f} s "
            f"| {r['plain_keras_first_epoch_seconds']:.1f} s | fit / reference = "
            f"{r['ratio_to_plain_keras']:.2f} |",
            f"| real (unpadded) share of the padded tokens | {r['real_token_fraction']:.0%} | | |",
            "",
            "| decoding 10,000 sequences (lengths 1-40) | sequences/s | ratio |",
            "|---|---|---|",
            f"| greedy, early exit (`predict`) | {greedy:,.0f} | 1x |",
            f"| greedy, every step (no early exit) | "
            f"{r['greedy_without_early_exit_sequences_per_second']:,.0f} | "
            f"{greedy / r['greedy_without_early_exit_sequences_per_second']:.2f}x slower |",
            f"| plain-Keras `tf.function` greedy loop, early exit | "
            f"{r['keras_greedy_loop_sequences_per_second']:,.0f} | "
            f"{greedy / r['keras_greedy_loop_sequences_per_second']:.2f}x slower |",
            f"| greedy, all {r['equal_lengths_width']} tokens long (fixed-length path) | "
            f"{r['greedy_equal_lengths_sequences_per_second']:,.0f} | "
            f"x {r['equal_lengths_width']} / "
            f"{r['mean_source_length']:.1f} (mean length) = "
            f"{r['length_scaled_equal_lengths_sequences_per_second']:,.0f}: the bar |",
            f"| roofline: numpy's sgemm rate ({r['sgemm_gflops']:.0f} GFLOP/s) / the matmul "
            "FLOPs of each sequence's own steps | "
            f"{r['roofline_sequences_per_second']:,.0f} | greedy at "
            f"{greedy / r['roofline_sequences_per_second']:.0%} of it |",
            f"| greedy, first call (traces, compiles) | {r['greedy_first_call_seconds']:.1f} s | |",
            f"| beam search, width 4 (`predict`: stops once each best is final) | "
            f"{r['beam_width_4_sequences_per_second']:,.0f} | "
            f"{r['beam_width_4_sequences_per_second'] / greedy:.0%} of greedy |",
            f"| beam search, width 4, every hypothesis to its end (`predict_nbest`) | "
            f"{r['beam_width_4_every_hypothesis_sequences_per_second']:,.0f} | "
            f"{r['beam_width_4_every_hypothesis_sequences_per_second'] / greedy:.0%} of greedy |",
            f"| `predict` of one string, median | {r['batch_1_predict_median_ms']:.2f} ms | |",
            "",
            "| decoding 10,000 numbers -> English words (sources 1-9 digits, "
            f"predicted words {r['number_words_mean_output_length']:.0f} characters on "
            "average) | sequences/s | ratio |",
            "|---|---|---|",
            f"| greedy, early exit (`predict`) | {words:,.0f} | 1x |",
            f"| greedy, every step (no early exit) | "
            f"{r['number_words_greedy_without_early_exit_sequences_per_second']:,.0f} | "
            f"{words / r['number_words_greedy_without_early_exit_sequences_per_second']:.2f}x "
            "slower |",
            f"| plain-Keras `tf.function` greedy loop, early exit | "
            f"{r['number_words_keras_greedy_loop_sequences_per_second']:,.0f} | "
            f"{words / r['number_words_keras_greedy_loop_sequences_per_second']:.2f}x slower |",
            f"| roofline (as above) | {r['number_words_roofline_sequences_per_second']:,.0f} | "
            f"greedy at {words / r['number_words_roofline_sequences_per_second']:.0%} of it |",
            f"| beam search, width 4 (`predict`) | "
            f"{r['number_words_beam_width_4_sequences_per_second']:,.0f} "
            f"| {r['number_words_beam_width_4_sequences_per_second'] / words:.0%} of greedy |",
            f"| beam search, width 4, every hypothesis (`predict_nbest`) | "
            f"{r['number_words_beam_width_4_every_hypothesis_sequences_per_second']:,.0f} | "
            f"{r['number_words_beam_width_4_every_hypothesis_sequences_per_second'] / words:.0%}"
            " of greedy |",
        ]
    )


if __name__ == "__main__":
    main()
