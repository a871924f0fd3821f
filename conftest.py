"""Test-session environment, set before scikit-learn or SciPy is imported."""

import os

# Run scikit-learn's array API checks (NumPy namespace) instead of skipping them.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
