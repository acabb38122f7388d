#!/usr/bin/env bash
# Build the HTML documentation, gallery included, failing on any warning.
#
#     docs/build.sh [extra sphinx options]
#
# Run from anywhere; uses the `python` on PATH (the one skrnn and the docs extra
# are installed in), or $PYTHON. The gallery's examples fetch real data sets:
# when SKRNN_DATA is unset and the project's shared data folder (../shared/data
# next to the repository) exists, they read it from there instead of
# downloading. The output goes to docs/_build/html.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ -z "${SKRNN_DATA:-}" && -d "$root/../shared/data" ]]; then
    SKRNN_DATA="$(cd "$root/../shared/data" && pwd)"
    export SKRNN_DATA
fi
# The examples train small networks: one thread each is faster than several
# fighting over a shared CPU, and makes timings comparable between builds.
export OMP_NUM_THREADS=1

exec "${PYTHON:-python}" -m sphinx -W --keep-going -b html "$@" docs docs/_build/html
