#!/usr/bin/env bash
# On a machine with a CUDA GPU and the torch extra installed: run the torch track's tests
# and a CUDA check of every torch solution (`implement TASK --framework torch --device cuda`).
# It cannot run on a machine without CUDA (the option exits 2 there, by design).
set -euo pipefail
cd "$(dirname "$0")/.."
python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device')"
export LOSSDRILL_REQUIRE_FRAMEWORKS=1
python -m pytest -q -p no:cacheprovider tests/test_frameworks.py tests/test_framework_tracks.py -k torch
LOSSDRILL_TEST_DEVICE=cuda python -m pytest -q -p no:cacheprovider tests/test_framework_tracks.py -k torch
