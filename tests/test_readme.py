"""The README's quick start is ``examples/quickstart.py``, word for word."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_readme_quick_start_is_the_example_script():
    script = (ROOT / "examples" / "quickstart.py").read_text(encoding="utf-8")
    docstring_end = ast.parse(script).body[0].end_lineno
    code = "\n".join(script.splitlines()[docstring_end:]).strip("\n") + "\n"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```python\n(.*?)```", readme, re.DOTALL).group(1)
    assert first_block == code
