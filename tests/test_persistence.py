"""Persistence: pickle/joblib across processes, the safe file format, export."""

import json
import pickle
import zipfile
from pathlib import Path

import joblib
import keras
import numpy as np
import pytest
from fresh_process import run_json
from sklearn.exceptions import NotFittedError

import sklearn_seq2seq
from sklearn_seq2seq import Seq2SeqLSTM, load
from sklearn_seq2seq._persistence.archive import FORMAT_VERSION, METADATA_FILE, MODEL_FILE

DATA = Path(__file__).parent / "data"
STRINGS = ["ab", "abc", "b", "ca", "cab", "bb"] * 100
REVERSED = [x[::-1] for x in STRINGS]


@pytest.fixture(scope="session")
def strings_model():
    """A variable-length model with early stopping (so every fitted attribute is set)."""
    est = Seq2SeqLSTM(n_units=16, epochs=3, early_stopping=True, random_state=0)
    return est.fit(STRINGS, REVERSED)


# A fresh process each (TensorFlow's start-up): joblib's round trip is marked slow.
@pytest.mark.parametrize("library", ["pickle", pytest.param("joblib", marks=pytest.mark.slow)])
def test_pickle_and_joblib_round_trips_across_processes(strings_model, tmp_path, library):
    path = tmp_path / f"model.{library}"
    unfitted_path = tmp_path / f"unfitted.{library}"
    dump = pickle.dump if library == "pickle" else joblib.dump
    if library == "pickle":
        with open(path, "wb") as file:
            pickle.dump(strings_model, file)
        with open(unfitted_path, "wb") as file:
            pickle.dump(Seq2SeqLSTM(n_units=7, beam_width=3), file)
    else:
        dump(strings_model, path)
        dump(Seq2SeqLSTM(n_units=7, beam_width=3), unfitted_path)
    probes = ["abc", "cab", "b", "bbb"]
    result = run_json(
        """
        import json, sys, pickle, joblib
        from sklearn.utils.validation import check_is_fitted
        load = joblib.load if sys.argv[1].endswith("joblib") else (
            lambda p: pickle.load(open(p, "rb")))
        est, unfitted = load(sys.argv[1]), load(sys.argv[2])
        probes = ["abc", "cab", "b", "bbb"]
        print(json.dumps({
            "predictions": est.predict(probes),
            "proba": [p.tolist() for p in est.predict_proba(probes)],
            "unfitted": unfitted.get_params()["n_units"],
            "unfitted_is_fitted": hasattr(unfitted, "model_"),
        }))
        """,
        path,
        unfitted_path,
    )
    assert result["predictions"] == strings_model.predict(probes)
    for theirs, ours in zip(result["proba"], strings_model.predict_proba(probes)):
        np.testing.assert_array_equal(np.asarray(theirs, dtype=np.float32), ours)
    assert result["unfitted"] == 7 and not result["unfitted_is_fitted"]


def test_save_and_load_give_identical_predictions(strings_model, tmp_path):
    path = tmp_path / "model.s2s"
    strings_model.save(path)
    restored = load(path)
    probes = ["abc", "cab", "b", "bbb", "a"]
    assert restored.predict(probes) == strings_model.predict(probes)
    for theirs, ours in zip(restored.predict_proba(probes), strings_model.predict_proba(probes)):
        np.testing.assert_array_equal(theirs, ours)
    np.testing.assert_array_equal(
        restored.log_likelihood(probes, probes), strings_model.log_likelihood(probes, probes)
    )
    assert restored.get_params() == strings_model.get_params()
    for name in ("history_", "n_iter_", "best_epoch_", "best_validation_score_", "n_outputs_"):
        assert getattr(restored, name) == getattr(strings_model, name)
    np.testing.assert_array_equal(restored.classes_[0], strings_model.classes_[0])
    assert restored.classes_[0][0] is sklearn_seq2seq.EOS
    # The optimizer state came along: training can continue.
    restored.set_params(warm_start=True, epochs=1).fit(STRINGS, REVERSED)
    assert restored.n_iter_ == strings_model.n_iter_ + 1


def test_save_and_load_array_and_tuple_tokens(fitted, small_task, tmp_path):
    X_test = small_task[2]
    fitted.save(tmp_path / "array.s2s")
    restored = load(tmp_path / "array.s2s")
    np.testing.assert_array_equal(restored.predict(X_test), fitted.predict(X_test))
    assert restored.n_features_in_ == 4
    assert restored.target_vocabulary_.tokens.dtype == fitted.target_vocabulary_.tokens.dtype

    X = [[(1, "a"), (2, "b")], [(2, "b")], [(1, "a")]] * 50
    Y = [[("x", 1)] * len(x) for x in X]
    est = Seq2SeqLSTM(n_units=4, epochs=1, random_state=0).fit(X, Y)
    est.save(tmp_path / "tuples.s2s")
    assert load(tmp_path / "tuples.s2s").predict(X[:3]) == est.predict(X[:3])


def test_unfitted_estimators_round_trip(tmp_path):
    est = Seq2SeqLSTM(n_units=np.int64(12), beam_width=2, callbacks=[keras.callbacks.History()])
    est.save(tmp_path / "unfitted.s2s")
    restored = load(tmp_path / "unfitted.s2s")
    assert restored.n_units == 12 and restored.beam_width == 2
    assert restored.callbacks is None  # callbacks are code, not data: not saved
    with pytest.raises(NotFittedError):
        restored.predict(["ab"])


def test_tokens_json_cannot_hold_are_refused_and_leave_no_file(tmp_path):
    X = [[b"a", b"b"], [b"b"]] * 20
    est = Seq2SeqLSTM(n_units=4, epochs=1, random_state=0).fit(X, X)
    with pytest.raises(TypeError, match="cannot be saved safely"):
        est.save(tmp_path / "model.s2s")
    assert list(tmp_path.iterdir()) == []


def test_a_committed_model_file_keeps_loading():
    """A file saved by format version 1; later releases must still read it."""
    expected = json.loads((DATA / "reverse_v1.json").read_text())
    est = load(DATA / "reverse_v1.s2s")
    assert est.predict(expected["probes"]) == expected["predictions"]
    np.testing.assert_allclose(
        est.log_likelihood(expected["probes"], [p[::-1] for p in expected["probes"]]),
        expected["log_likelihood"],
        rtol=1e-5,
    )
    with zipfile.ZipFile(DATA / "reverse_v1.s2s") as archive:
        metadata = json.loads(archive.read(METADATA_FILE))
    assert metadata["format_version"] == 1 <= FORMAT_VERSION
    assert metadata["package_version"] == "0.1.0"


def _rewrite(source, target, **replace):
    """Copy a model file, replacing some of its members."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, replace.pop(name, None) or old.read(name))
        for name, data in replace.items():
            new.writestr(name, data)


class Payload:
    """Pickling this object makes unpickling it create a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_files_with_pickle_payloads_are_refused_without_running_them(tmp_path):
    marker = tmp_path / "executed"
    joblib.dump(Payload(marker), tmp_path / "evil.joblib")
    with pytest.raises(ValueError, match="not a readable zip archive"):
        load(tmp_path / "evil.joblib")
    _rewrite(
        DATA / "reverse_v1.s2s",
        tmp_path / "evil.s2s",
        **{METADATA_FILE: pickle.dumps(Payload(marker))},
    )
    with pytest.raises(ValueError, match=f"no readable {METADATA_FILE}"):
        load(tmp_path / "evil.s2s")
    assert not marker.exists()


def test_a_lambda_layer_in_the_keras_model_is_refused(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    model.save(tmp_path / "lambda.keras")
    _rewrite(
        DATA / "reverse_v1.s2s",
        tmp_path / "lambda.s2s",
        **{MODEL_FILE: (tmp_path / "lambda.keras").read_bytes()},
    )
    with pytest.raises(ValueError, match="cannot be loaded safely"):
        load(tmp_path / "lambda.s2s")


def test_newer_format_versions_and_foreign_files_are_refused(tmp_path):
    with zipfile.ZipFile(DATA / "reverse_v1.s2s") as archive:
        metadata = json.loads(archive.read(METADATA_FILE))
    newer = json.dumps({**metadata, "format_version": FORMAT_VERSION + 1})
    _rewrite(DATA / "reverse_v1.s2s", tmp_path / "newer.s2s", **{METADATA_FILE: newer})
    with pytest.raises(ValueError, match="Upgrade the package"):
        load(tmp_path / "newer.s2s")
    foreign = json.dumps({**metadata, "class": "os.system"})
    _rewrite(DATA / "reverse_v1.s2s", tmp_path / "foreign.s2s", **{METADATA_FILE: foreign})
    with pytest.raises(ValueError, match="Unknown estimator class"):
        load(tmp_path / "foreign.s2s")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr(METADATA_FILE, json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="not a sklearn_seq2seq model file"):
        load(tmp_path / "other.zip")


def test_an_existing_file_survives_a_failed_save(strings_model, tmp_path):
    path = tmp_path / "model.s2s"
    strings_model.save(path)
    before = path.read_bytes()
    X = [[b"a"], [b"b"]] * 20
    with pytest.raises(TypeError):
        Seq2SeqLSTM(n_units=4, epochs=1).fit(X, X).save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.s2s"]


@pytest.mark.parametrize("beam_width", [1, 3])
def test_export_decodes_without_the_package(strings_model, tmp_path, beam_width):
    import copy

    est = copy.copy(strings_model)
    est.beam_width = beam_width
    est.export(tmp_path / "served")
    probes = ["abc", "cab", "b", "bbbb", "a"]
    result = run_json(
        """
        import json, sys
        sys.modules["sklearn_seq2seq"] = None  # importing the package now fails
        import numpy as np
        import tensorflow as tf
        path = sys.argv[1]
        vocabulary = json.load(open(path + "/vocabulary.json"))
        first = vocabulary["first_token_id"]
        source = {t: i + first for i, t in enumerate(vocabulary["source"]["tokens"])}
        target = vocabulary["target"]["tokens"]
        probes = json.loads(sys.argv[2])
        lengths = np.array([len(p) for p in probes], np.int32)
        ids = np.zeros((len(probes), lengths.max()), np.int32)
        unknown = vocabulary["reserved_ids"]["<unk>"]
        for row, probe in enumerate(probes):
            ids[row, : len(probe)] = [source.get(c, unknown) for c in probe]
        served = tf.saved_model.load(path)  # keep a reference: it owns the variables
        out = served.decode(ids, lengths)
        print(json.dumps(["".join(target[i - first] for i in row[:n])
                          for row, n in zip(out["token_ids"].numpy(), out["lengths"].numpy())]))
        """,
        tmp_path / "served",
        json.dumps(probes),
    )
    assert result == est.predict(probes)
