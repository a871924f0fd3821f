"""Sphinx configuration of the sklearn_seq2seq documentation.

Build (from the repository root; needs ``pip install -e ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery (``examples/gallery``) is executed during the build and written
to ``docs/auto_examples``; the API stubs go to ``docs/generated``.  Both are
generated, not committed.
"""

import os
import sys

# Draw every figure off-screen: set before anything imports matplotlib.
os.environ.setdefault("MPLBACKEND", "Agg")

import sklearn_seq2seq  # noqa: E402

# docs/benchmark_page.py: the Benchmarks page, generated from the results files.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

project = "sklearn_seq2seq"
author = "sklearn_seq2seq developers"
copyright = "sklearn_seq2seq developers"
release = sklearn_seq2seq.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "benchmark_page",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    # sphinx-gallery writes its own .rst pages; the .py and .ipynb copies
    # beside them are downloads, not sources.
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.py.md5",
    "auto_examples/*.zip",
    "auto_examples/*.codeobj.json",
]

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False

# -- MyST (the Markdown pages) -----------------------------------------------
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# -- sphinx-gallery ----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples/gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
}

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_seq2seq {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
