"""Write the model file that tests/test_persistence.py keeps loading.

Run once per format version (``python tests/data/make_model_file.py``) and
commit the result; never regenerate an existing version's file, since the
test exists to notice when a release can no longer read old files.
"""

import json
from pathlib import Path

from sklearn_seq2seq import Seq2SeqLSTM
from sklearn_seq2seq._persistence.archive import FORMAT_VERSION

HERE = Path(__file__).parent
SOURCES = ["ab", "abc", "b", "ca", "cab", "bb"] * 100
PROBES = ["abc", "ba", "c", "cc"]


def main():
    est = Seq2SeqLSTM(n_units=16, epochs=20, random_state=0)
    est.fit(SOURCES, [s[::-1] for s in SOURCES])
    est.save(HERE / f"reverse_v{FORMAT_VERSION}.s2s")
    expected = {
        "probes": PROBES,
        "predictions": est.predict(PROBES),
        "log_likelihood": est.log_likelihood(PROBES, [p[::-1] for p in PROBES]).tolist(),
    }
    (HERE / f"reverse_v{FORMAT_VERSION}.json").write_text(json.dumps(expected, indent=1))


if __name__ == "__main__":
    main()
