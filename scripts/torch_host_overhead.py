"""Host time per call of emitted PyTorch modules' fused path, kernel time excluded, against plain PyTorch ops.

    dotnet run -c Release --project src/Samples -- emit PolyNorm --torch modules
    dotnet run -c Release --project src/Samples -- emit PolyReLU --torch modules
    python3 scripts/torch_host_overhead.py modules polynorm polyrelu

Runs on a machine without a GPU: a CuPy stand-in whose kernels return at once replaces CuPy, so each call does all
the module's own work (checks, the parameter vector, the geometry, output and partials allocation, argument packing,
the autograd node) but no kernel. The tensors are CPU tensors of a small shape, so the plain PyTorch ops beside them
(gelu, and x * 2.0, forward and backward) cost little more than their own dispatch: the comparison is host overhead
against host overhead. Prints a Markdown table of microseconds per forward+backward call (medians of 7 rounds).
"""
import contextlib
import importlib
import statistics
import sys
import time
import types

import torch


class _NoKernel:
    def __call__(self, grid, block, args):
        pass


class _RawModule:
    def __init__(self, code, options=()):
        pass

    def get_function(self, name):
        return _NoKernel()


sys.modules["cupy"] = types.SimpleNamespace(
    RawModule=_RawModule,
    cuda=types.SimpleNamespace(Device=lambda index: contextlib.nullcontext(), ExternalStream=lambda pointer: contextlib.nullcontext()))
torch.cuda.is_available = lambda: True
torch.cuda.get_device_properties = lambda index: types.SimpleNamespace(multi_processor_count=132)
torch.cuda.current_stream = lambda index=None: types.SimpleNamespace(cuda_stream=0)

ROWS, H, CALLS, ROUNDS = 4, 256, 2000, 7


def per_call_us(step):
    for _ in range(200):
        step()
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS):
            step()
        times.append((time.perf_counter() - start) / CALLS * 1e6)
    return statistics.median(times)


def main():
    folder, names = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, folder)
    torch.set_num_threads(1)
    x = torch.randn(ROWS, H, requires_grad=True)
    dy = torch.randn(ROWS, H)
    rows = []
    for name in names:
        module = importlib.import_module(name)
        assert module.cuda_available(), module._cupy_error
        activation = getattr(module, module.__all__[0])()

        def fused_step(module=module, activation=activation):
            parameters = activation.kernel_parameters(x)
            module._check(x, None, parameters)
            module._fused(x, None, parameters).backward(dy)

        rows.append((f"{module.NAME} module, fused path (kernels not run)", per_call_us(fused_step)))
    rows.append(("torch.nn.functional.gelu", per_call_us(lambda: torch.nn.functional.gelu(x).backward(dy))))
    rows.append(("x * 2.0", per_call_us(lambda: (x * 2.0).backward(dy))))
    print(f"PyTorch {torch.__version__}, [{ROWS}, {H}] float32 on the CPU, 1 thread, {CALLS} calls x {ROUNDS} rounds (medians)")
    print()
    print("| forward+backward | host time per call, us |")
    print("|---|---:|")
    for what, us in rows:
        print(f"| {what} | {us:.1f} |")


main()
