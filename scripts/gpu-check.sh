#!/usr/bin/env bash
# The GPU check, for a Linux machine with an NVIDIA GPU, a CUDA driver and Python with PyTorch (no .NET needed):
#   1. here, once: bash scripts/build-gpu-check.sh        (writes artifacts/gpu-check, about 30 MB)
#   2. there:      bash scripts/gpu-check.sh [report-folder]
# It checks PolyNorm, PolyReLU, two more specs and the tests' whole spec grid in float32, bfloat16 and float16 against the CPU float64
# kernels, checks that gradients repeat bitwise, times forward and backward in bfloat16 against a device copy,
# then times the paper's PyTorch formula eager and under torch.compile at the same shapes, and runs the emitted
# PyTorch modules' CUDA path (CuPy) against their CPU path, timed beside the eager formula, and their split kernels of
# tensor parallelism in a process group of one rank against the one-shot kernels (bitwise).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
report="${1:-${OUT:-$root/artifacts}}"
mkdir -p "$report"
checker="$root/artifacts/gpu-check/PolyComGen.GpuCheck"
if [ ! -x "$checker" ]; then
    echo "No checker at $checker: run scripts/build-gpu-check.sh on a machine with the .NET SDK first." >&2
    exit 2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true

# NVRTC: the checker searches libnvrtc.so(.13/.12/.11.2), CUDA_PATH, CUDA_HOME, /usr/local/cuda/lib64; a pip-installed
# PyTorch ships one too, so add its folders to the loader path.
nvrtc_dirs=$(python3 - <<'PY' 2>/dev/null
import glob, os, site
dirs = set()
for base in site.getsitepackages() + [site.getusersitepackages()]:
    for path in glob.glob(os.path.join(base, "nvidia", "**", "libnvrtc.so*"), recursive=True):
        dirs.add(os.path.dirname(path))
print(":".join(sorted(dirs)))
PY
)
export LD_LIBRARY_PATH="${nvrtc_dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export POLYCOMGEN_CACHE_DIR="${POLYCOMGEN_CACHE_DIR:-/tmp/polycomgen-cache}"

timeout 480 "$checker" --out "$report/gpu-check.md"
status=$?
timeout 300 python3 "$root/scripts/gpu_check_torch.py" | tee "$report/gpu-check-torch.md"
# The emitted PyTorch modules' CUDA path (CuPy's NVRTC): against their float64 CPU path, and timed.
timeout 300 python3 "$root/scripts/gpu_check_torch_module.py" "$root/artifacts/gpu-check/torch" | tee "$report/gpu-check-torch-module.md"
torch_module=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && status=$torch_module
exit $status
