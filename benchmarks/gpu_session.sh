#!/usr/bin/env bash
# Everything a session lent a GPU machine should run there, as one command (issue 25).
#
#     bash benchmarks/gpu_session.sh              # on the GPU machine; logs go to $OUT
#     DEVICE=cpu bash benchmarks/gpu_session.sh   # a dry run of the same steps on the CPU
#
# A GPU session has about 15 minutes of device time, the machine's start included, so the
# steps run in the order of their worth, each under its own time limit (about 10 minutes in
# all): a step that hangs or runs long leaves its time to the others, and its log keeps
# what it printed until then.
#
# 1. the test suite on the GPU (pytest --device cuda), one line per test;
# 2. kernel launches per training step, minigrad and PyTorch (profile_step.py --kernels);
# 3. the GPU suite against PyTorch CUDA eager (gpu_suite.py --quick): its JSON, and a copy
#    of docs/benchmarks.md with the new "GPU results" section to copy back;
# 4. the MNIST MLP and CNN examples for one epoch each (seconds per epoch, accuracy);
# 5. the optimizer's step per parameter and with foreach=True (optim_step.py), both sides.
#
# The machine has CuPy, PyTorch (CUDA), pytest and NumPy installed; minigrad runs from this
# checkout (PYTHONPATH), so nothing is installed. At most 8 files come back from $OUT: this
# script writes 8 (summary.txt first: each step's status, time and last lines).
set -u
device=${DEVICE:-cuda}
out=${OUT:-gpu_out}
py=${PYTHON:-python3}
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 CUPY_TF32=0
summary="$out/summary.txt"
: > "$summary"

step() {  # step LOG SECONDS COMMAND...: run COMMAND under a time limit, appending to LOG
    local log=$1 limit=$2
    shift 2
    local start=$SECONDS
    echo "\$ $*" >> "$out/$log"
    local first=$(($(wc -l < "$out/$log") + 1))  # this step's first line of output
    timeout --kill-after 10 "$limit" "$@" >> "$out/$log" 2>&1
    local rc=$?
    local note=""
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then note=" (stopped at its ${limit} s limit)"; fi
    {
        echo "$* -> rc=$rc in $((SECONDS - start)) s$note"
        tail -n "+$first" "$out/$log" | tail -n 4 | sed 's/^/    /'
    } >> "$summary"
}

{
    echo "device=$device  commit=$(git rev-parse --short HEAD 2>/dev/null)  $(date -u)"
    nvidia-smi -L 2>&1 | head -n 2
    "$py" -c "import sys, numpy; print('python', sys.version.split()[0], 'numpy', numpy.__version__)"
    "$py" -c "import cupy; print('cupy', cupy.__version__)" 2>&1 | tail -n 1
    "$py" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" \
        2>&1 | tail -n 1
} >> "$summary"

# 1. The tests: -v prints a line per test as it ends, so a stopped run still shows how far
#    it got; -p no:cacheprovider leaves no .pytest_cache in the checkout.
step tests.log 270 "$py" -m pytest -v -p no:cacheprovider -rfE --device "$device" tests

# 2. Launches per step (on a GPU also the CUDA kernels of both frameworks).
step kernels.log 60 "$py" benchmarks/profile_step.py --kernels --device "$device" w1 500 --steps 3
step kernels.log 60 "$py" benchmarks/profile_step.py --kernels --device "$device" w2 128 --steps 3

# 3. The GPU suite (exits with status 2 where there is no GPU).
cp docs/benchmarks.md "$out/benchmarks.md"
step suite.log 120 "$py" benchmarks/gpu_suite.py --quick \
    --json "$out/gpu_results.json" --markdown "$out/benchmarks.md"

# 4. The examples, one epoch each.
step examples.log 45 "$py" examples/mnist_mlp.py --device "$device" --epochs 1 --no-progress
step examples.log 60 "$py" examples/mnist_cnn.py --device "$device" --epochs 1 --no-progress

# 5. The optimizer's step, per parameter and with foreach=True (fast/flat.py).
step optim.log 45 "$py" benchmarks/optim_step.py --device "$device" --rounds 1 --steps 20 \
    --train-steps 5

cat "$summary"
