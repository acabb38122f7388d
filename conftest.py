"""Session-wide test settings (tests/ and the docstring examples in skrnn/)."""

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    # The suite trains hundreds of tiny networks; on a shared 2-core machine,
    # torch's intra-op threads contend and can make small layers 20-100x
    # slower. One thread is fast and predictable here. Restored afterwards.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
