"""The paper's PolyNorm and PolyReLU as eager PyTorch ops, timed eager and under torch.compile (bf16, CUDA
events, medians), at the shapes the PolyComGen GPU check uses, with a device copy timed in the same run."""
import torch

SHAPES = [(16384, 8192), (4096, 32768), (2048, 65536)]


def norm(u, eps=1e-6):
    return u * torch.rsqrt(u.pow(2).mean(-1, keepdim=True) + eps)


def polynorm(x, w, b):
    return w[0] * norm(x) + w[1] * norm(x ** 2) + w[2] * norm(x ** 3) + b


def polyrelu(x, w, b):
    r = torch.relu(x)
    return w[0] * r + w[1] * r ** 2 + w[2] * r ** 3 + b


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


def main():
    torch.manual_seed(0)
    print(f"# PyTorch {torch.__version__} on {torch.cuda.get_device_name()}: the paper's formula, bf16\n")
    print("| formula | mode | shape | copy GB/s | forward ms | forward GB/s | fwd+bwd ms | fwd+bwd GB/s (5 passes) |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for rows, h in SHAPES:
        x = torch.randn(rows, h, device="cuda", dtype=torch.bfloat16)
        dy = torch.randn_like(x)
        nbytes = x.numel() * x.element_size()
        copy_ms = median_ms(lambda: x.clone())
        copy = 2 * nbytes / copy_ms / 1e6
        for name, fn in (("PolyNorm", polynorm), ("PolyReLU", polyrelu)):
            w = torch.full((3,), 1 / 3, device="cuda", dtype=torch.bfloat16, requires_grad=True)
            b = torch.zeros(1, device="cuda", dtype=torch.bfloat16, requires_grad=True)
            for mode, f in (("eager", fn), ("torch.compile", torch.compile(fn))):
                xg = x.detach().requires_grad_()
                with torch.no_grad():
                    fwd = median_ms(lambda: f(x, w, b))
                step = median_ms(lambda: f(xg, w, b).backward(dy))
                print(f"| {name} | {mode} | [{rows}, {h}] | {copy:.0f} | {fwd:.3f} | {2 * nbytes / fwd / 1e6:.0f} | "
                      f"{step:.3f} | {5 * nbytes / step / 1e6:.0f} |", flush=True)
                del xg
        del x, dy
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
