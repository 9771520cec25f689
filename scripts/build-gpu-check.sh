#!/usr/bin/env bash
# Builds the GPU checker for a machine with a CUDA driver but no .NET: self-contained, trimmed, linux-x64,
# into artifacts/gpu-check (git-ignored), with the PyTorch modules of PolyNorm, PolyReLU and PolyNormGLU. Then run scripts/gpu-check.sh there.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/gpu-check
rm -rf "$out"
# The project sets linux-x64, self-contained, trimmed, single file.
dotnet publish tools/GpuCheck/PolyComGen.GpuCheck.csproj -c Release -o "$out" >/dev/null
rm -f "$out"/*.pdb "$out"/*.dbg
# The emitted PyTorch modules, whose CUDA path scripts/gpu_check_torch_module.py checks.
for name in PolyNorm PolyReLU PolyNormGLU; do
    dotnet run -c Release --project src/Samples -- emit "$name" --torch "$out/torch" >/dev/null
done
du -sh "$out"
