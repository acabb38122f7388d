"""Session-wide test settings (tests/ and the docstring examples in src/skrnn/)."""

import doctest
import importlib.util

import pytest
import torch

try:
    import matplotlib
except ImportError:  # optional: only the displays need it
    matplotlib = None

# skrnn.sktime needs sktime (optional): without it the module cannot be
# imported, so its docstring examples are not collected.
collect_ignore = [] if importlib.util.find_spec("sktime") else ["src/skrnn/sktime.py"]


def pytest_configure(config):
    if matplotlib is not None:
        # Draw off-screen: no window, and plt.show() in a docstring example
        # returns at once.
        matplotlib.use("agg")


def pytest_collection_modifyitems(config, items):
    if matplotlib is not None:
        return
    skip = pytest.mark.skip(reason="the example needs matplotlib")
    for item in items:
        test = getattr(item, "dtest", None)
        if isinstance(test, doctest.DocTest) and any(
            "matplotlib" in example.source for example in test.examples
        ):
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    # The suite trains hundreds of tiny networks; on a shared 2-core machine,
    # torch's intra-op threads contend and can make small layers 20-100x
    # slower. One thread is fast and predictable here. Restored afterwards.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
