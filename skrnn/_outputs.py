"""Per-step outputs back into the form of the input: padded arrays or lists.

Prediction runs in batches (in order of length when lengths differ); these put
the per-step outputs of those batches back in the order and layout of ``X``.
"""

import numpy as np


def in_input_order(outputs, order):
    """Per-step outputs of batches taken in ``order``, in the input's order.

    Their widths differ between batches, so each sequence gets its own
    ``(1, n_steps, ...)`` array.
    """
    sorted_rows = [out[j : j + 1] for out in outputs for j in range(out.shape[0])]
    rows = [None] * len(order)
    for position, index in enumerate(order):
        rows[index] = sorted_rows[position]
    return rows


def stack_step_outputs(sequences, outputs):
    """Per-step outputs of all batches as a list of ``(n_steps_i, k)`` arrays."""
    rows = []
    start = 0
    for out in outputs:
        for j in range(out.shape[0]):
            rows.append(out[j, : sequences.lengths[start + j]])
        start += out.shape[0]
    return rows


def pad_step_outputs(sequences, rows, fill=np.nan):
    """Per-step outputs padded to the input's length (``fill`` on padding)."""
    n_steps = sequences.values.shape[1]
    width = rows[0].shape[1:]
    padded = np.full((len(rows), n_steps, *width), fill, dtype=rows[0].dtype)
    for i, row in enumerate(rows):
        padded[i, : row.shape[0]] = row
    return padded
