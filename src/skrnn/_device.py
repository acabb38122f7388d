"""Torch devices: the ``device`` parameter's values and the CUDA random streams."""

import torch


def resolve_device(device):
    """The torch device string that ``device`` (``'auto'``, ``'cpu'``,
    ``'cuda[:N]'``) names here, or a ValueError saying why it cannot be used."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device. Use 'cpu', 'cuda', "
            "'cuda:N' or 'auto'."
        ) from exc
    if parsed.type not in ("cpu", "cuda"):
        raise ValueError(
            f"device={device!r} is a torch device that skrnn does not train on "
            "(its kernels are checked on CPUs and CUDA GPUs only). Use 'cpu', "
            "'cuda', 'cuda:N' or 'auto'."
        )
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} asks for CUDA, but torch finds no CUDA device "
                f"(torch {torch.__version__}). Use device='cpu', or 'auto' to take "
                "a GPU only when there is one."
            )
        if parsed.index is not None and parsed.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} names a GPU that does not exist: torch sees "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    return device


def cuda_indices(device):
    """The CUDA devices whose random streams ``torch.random.fork_rng`` must
    fork for ``device`` (none on the CPU)."""
    if torch.device(device).type != "cuda":
        return []
    return list(range(torch.cuda.device_count()))
