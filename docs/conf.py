"""Sphinx configuration for skrnn's documentation.

Build with ``docs/build.sh`` (what CI runs), which points the data fetchers at
the project's shared data and fails on any warning.
"""

import logging
import os

# Before anything imports matplotlib: the gallery draws off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")

from docutils import nodes  # noqa: E402

import skrnn  # noqa: E402

project = "skrnn"
version = release = skrnn.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
exclude_patterns = ["_build"]
autosummary_generate = True
numpydoc_show_class_members = False
html_theme = "alabaster"

# -- Gallery -----------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Execute every plot_*.py. quickstart.py is the README's script, not a
    # gallery example (no title block): leave it out of the gallery.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|quickstart\.py",
    "within_subsection_order": "FileNameSortKey",
    # Unload matplotlib (and seaborn) before each example, so that no figure
    # or rcParams leak from one example into the next (the default).
    "reset_modules": ("matplotlib", "seaborn"),
    # "Total running time of the script" under every example, however short.
    "min_reported_time": 0,
    "image_scrapers": ("matplotlib",),
    # Links from the examples' code to the API pages.
    "doc_module": ("skrnn",),
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
}

# Examples that read real data sets, and a file each needs. Without those files
# in the data home (SKRNN_DATA, which docs/build.sh points at ../shared/data,
# or ~/skrnn_data), the build does not try to download: it shows those examples
# without running them.
_DATA_EXAMPLES = {
    "plot_time_series_classification": "BasicMotions/BasicMotions_TRAIN.ts",
    "plot_forecasting_lag_windows": "airline/Airline.csv",
    "plot_forecasting_intervals": "airline/Airline.csv",
    "plot_pos_tagging": "ud_english_ewt/en_ewt-ud-train.conllu",
    "plot_text_classification": "sentence_polarity/rt-polarity.pos",
    "plot_step_importance": "BasicMotions/BasicMotions_TRAIN.ts",
}
_data_home = os.environ.get("SKRNN_DATA") or os.path.expanduser("~/skrnn_data")
_missing = sorted(
    name
    for name, needed in _DATA_EXAMPLES.items()
    if not os.path.exists(os.path.join(_data_home, needed))
)
if _missing:
    logging.getLogger(__name__).info(
        "data sets absent from %s: not running %s", _data_home, ", ".join(_missing)
    )
    skipped = "|".join(_missing)
    sphinx_gallery_conf["filename_pattern"] = rf"/(?!{skipped})plot_"

# -- Intersphinx ---------------------------------------------------------------

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "torch": ("https://pytorch.org/docs/stable", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable", None),
}
# Offline, a fetch would otherwise wait on the network without limit.
intersphinx_timeout = 10

# Offline (as in CI) the inventories cannot be fetched: Sphinx then warns, and
# with -W that would fail the build although only the links to other projects'
# pages are missing. The fetch failure is reported as information instead;
# references to those projects then render as plain text.
_UNREACHABLE_INVENTORY = "failed to reach any of the inventories"


class _InventoryFetchFailureAsInfo(logging.Filter):
    def filter(self, record):
        if record.levelno == logging.WARNING and str(record.msg).startswith(
            _UNREACHABLE_INVENTORY
        ):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = "intersphinx (links to other projects left out): " + str(
                record.msg
            )
        return True


# Sphinx's loggers live under "sphinx."; intersphinx logs as
# "sphinx.ext.intersphinx".
logging.getLogger("sphinx.sphinx.ext.intersphinx").addFilter(
    _InventoryFetchFailureAsInfo()
)

# Labels of scikit-learn's user guide used by docstrings skrnn inherits from
# scikit-learn (``score``). Intersphinx resolves them from scikit-learn's
# inventory; without it (offline), link them here rather than warn.
_SKLEARN_LABELS = {
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "r2_score": "modules/model_evaluation.html#r2-score",
}


def _link_sklearn_labels(app, env, node, contnode):
    if node.get("refdomain") != "std" or node.get("reftype") != "ref":
        return None
    page = _SKLEARN_LABELS.get(node.get("reftarget"))
    if page is None:
        return None
    uri = f"{intersphinx_mapping['sklearn'][0]}/{page}"
    return nodes.reference("", "", contnode, refuri=uri, internal=False)


def setup(app):
    # After intersphinx's own handler, which wins when the inventory loaded.
    app.connect("missing-reference", _link_sklearn_labels, priority=900)
