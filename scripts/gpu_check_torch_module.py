"""The PyTorch modules PolyComGen emits (`polycom emit NAME --torch DIR`), on a GPU: the fused CUDA path (NVRTC
through CuPy, PyTorch's current stream) against the float64 CPU path of the same module, then its speed beside
the eager formula on the GPU and under torch.compile, in one run (CUDA events, medians); then the split kernels of
tensor parallelism in a process group of one rank, which must give bitwise the one-shot kernels' results, timed
beside them.

    python3 scripts/gpu_check_torch_module.py MODULE_DIR
"""
import importlib
import os
import sys
import warnings

import torch

warnings.simplefilter("ignore", RuntimeWarning)
NAMES = ["PolyNorm", "PolyReLU", "PolyNormGLU"]
SHAPES = [(4096, 4096), (16384, 8192)]
TOLERANCE = {torch.float32: 2e-5, torch.bfloat16: 2e-2, torch.float16: 2e-3}


def median_ms(fn, repeats=20, warmup=3):
    times = []
    for i in range(warmup + repeats):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        torch.cuda.synchronize()
        if i >= warmup:
            times.append(start.elapsed_time(stop))
    return sorted(times)[len(times) // 2]


def relative(a, b):
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    scale = b.abs().max().item()
    return (a - b).abs().max().item() / (scale if scale > 0 else 1)


def run(module, x, gate):
    return module(x, gate) if gate is not None else module(x)


def gradients(module, x, gate, dy):
    x = x.detach().requires_grad_()
    gate = gate.detach().requires_grad_() if gate is not None else None
    module.zero_grad()
    y = run(module, x, gate)
    y.backward(dy)
    return [y, x.grad, module.weight.grad, module.bias.grad] + ([gate.grad] if gate is not None else [])


def main():
    folder = sys.argv[1]
    sys.path.insert(0, folder)
    if not torch.cuda.is_available():
        print("No CUDA device: nothing to check.")
        return 2
    failures = 0
    print(f"# Emitted PyTorch modules on {torch.cuda.get_device_name()}, PyTorch {torch.__version__}\n")
    print("| module | dtype | backend | y | dx | dweight | dbias | dgate |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    modules = {}
    for name in NAMES:
        module = importlib.import_module(name.lower())
        modules[name] = module
        if not module.cuda_available():
            print(f"| {name} | - | CuPy missing: {module._cupy_error} | | | | | |")
            failures += 1
            continue
        for dtype in (torch.float32, torch.bfloat16, torch.float16):
            torch.manual_seed(0)
            shape = (64, 1031)
            x, dy = torch.randn(shape), torch.randn(shape)
            gate = torch.randn(shape) if module.GATED else None
            reference = getattr(module, name)().double()
            with torch.no_grad():
                reference.weight.copy_(torch.tensor([0.5, -0.3, 0.2], dtype=torch.float64))
                reference.bias.fill_(0.1)
            expected = gradients(reference, x.double(), None if gate is None else gate.double(), dy.double())
            fused = getattr(module, name)().to("cuda", dtype)
            fused.load_state_dict(reference.state_dict())
            actual = gradients(fused, x.to("cuda", dtype), None if gate is None else gate.to("cuda", dtype), dy.to("cuda", dtype))
            errors = [relative(a, e) for a, e in zip(actual, expected)]
            bad = any(e > TOLERANCE[dtype] * (50 if i >= 2 else 1) for i, e in enumerate(errors))  # sums: looser
            failures += bad
            cells = " | ".join(f"{e:.1e}" for e in errors) + (" |" if gate is not None else " | - |")
            print(f"| {name} | {str(dtype)[6:]} | {'custom op' if module._fused is not module._FusedFunction.apply else 'autograd.Function'} | {cells}{' FAIL' if bad else ''}")
    print("\n| module | shape | bf16 fused fwd+bwd ms | eager fwd+bwd ms | torch.compile fwd+bwd ms | fused GB/s |")
    print("|---|---|---:|---:|---:|---:|")
    for name, module in modules.items():
        if not module.cuda_available():
            continue
        for rows, h in SHAPES:
            fused = getattr(module, name)().to("cuda", torch.bfloat16)
            x = torch.randn(rows, h, device="cuda", dtype=torch.bfloat16, requires_grad=True)
            gate = torch.randn(rows, h, device="cuda", dtype=torch.bfloat16, requires_grad=True) if module.GATED else None
            dy = torch.randn(rows, h, device="cuda", dtype=torch.bfloat16)
            inputs = [x] + ([gate] if gate is not None else []) + [fused.weight, fused.bias]

            def step(forward):
                return lambda: torch.autograd.grad(forward(), inputs, dy)

            fused_ms = median_ms(step(lambda: run(fused, x, gate)))
            eager_ms = median_ms(step(lambda: module.eager_forward(x, gate, fused.kernel_parameters(x))))
            try:
                compiled = torch.compile(lambda: module.eager_forward(x, gate, fused.kernel_parameters(x)))
                compiled_ms = f"{median_ms(step(compiled)):.3f}"
            except Exception as error:  # no compiler toolchain on the machine
                compiled_ms = f"n/a ({type(error).__name__})"
            passes = 8 if gate is not None else 5
            print(f"| {name} | {rows}x{h} | {fused_ms:.3f} | {eager_ms:.3f} | {compiled_ms} | {passes * rows * h * 2 / fused_ms / 1e6:.0f} |")
    return 1 if failures + tensor_parallel(modules) else 0


def tensor_parallel(modules):
    """The split kernels (statistics stages, then apply) in a process group of one rank, against the one-shot kernels:
    bitwise the same y, dx, dparameters (and dgate) in every dtype, also on rows whose statistics overflow and run
    again scaled, and the time of fused forward+backward of each. Returns the number of failures."""
    import torch.distributed as dist
    backend = "nccl" if dist.is_nccl_available() else "gloo"
    dist.init_process_group(backend, init_method="tcp://127.0.0.1:29577", rank=0, world_size=1)
    group = dist.new_group([0])
    failures = 0
    print(f"\n| module | dtype | rows | split kernels, one rank ({backend}) | one-shot fwd+bwd ms | split fwd+bwd ms |")
    print("|---|---|---|---|---:|---:|")
    for name, module in modules.items():
        if not module.ROWWISE or not module.cuda_available():
            continue
        for dtype in (torch.float32, torch.bfloat16, torch.float16):
            torch.manual_seed(0)
            x, dy = (torch.randn(4096, 4096, device="cuda", dtype=dtype) for _ in range(2))
            gate = torch.randn(4096, 4096, device="cuda", dtype=dtype) if module.GATED else None
            parameters = getattr(module, name)().to("cuda", dtype).kernel_parameters(x).detach()
            cases = [("unscaled", x)]
            if dtype != torch.float16:
                scaled = x.clone()
                scaled[::2] *= 2.0 ** 40
                cases.append(("even rows x 2^40", scaled))
            for label, xs in cases:
                def both(group):
                    return lambda: (module.fused_forward(xs, gate, parameters, group), *module.fused_backward(xs, gate, dy, parameters, group))
                one, split = both(None)(), both(group)()
                same = all(torch.equal(a, b) for a, b in zip(one, split))
                failures += not same
                print(f"| {name} | {str(dtype)[6:]} | {label} | {'bitwise equal' if same else 'DIFFERENT'} | "
                      f"{median_ms(both(None)):.3f} | {median_ms(both(group)):.3f} |")
    dist.destroy_process_group()
    return failures


if __name__ == "__main__":
    sys.exit(main())
