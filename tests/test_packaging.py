"""The package imports as users run it, wherever Python is started."""

import os
import subprocess
import sys
from pathlib import Path

import skrnn

ROOT = Path(__file__).parents[1]


def test_a_checkout_named_skrnn_does_not_shadow_the_package(tmp_path):
    # Python started in the folder that holds a checkout named "skrnn": with the
    # package at the top of the repository, `import skrnn` found the checkout
    # itself, an empty namespace package, before the installed package.
    # The child imports skrnn as installed (no PYTHONPATH), as a user would.
    (tmp_path / "skrnn").symlink_to(ROOT, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = "import skrnn; print(skrnn.__file__); skrnn.RNNClassifier"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (
        Path(result.stdout.strip()).resolve().parent
        == Path(skrnn.__file__).resolve().parent
    )
