"""The split kernels of tensor parallelism (statistics stages, then apply) on the emulated CUDA device, through the
CuPy stand-in in emulated_cupy/, against the one-shot kernels of the same translation unit:

    python emulated_split.py MODULE_DIR MODULE INPUT MULTIPROCESSORS PORT PORT2   (two free TCP ports)

INPUT holds x, dy, parameters (and gate) in float32, rows of even length. For one rank (a gloo group of one), the
split kernels must equal the one-shot kernels bitwise in float32, bfloat16 and float16, on x and on x with some rows
scaled by 2^40 (their statistics overflow the limit, so the statistics stage runs again scaled); for two ranks, each
holding half of every row, the gathered y, dx (and dgate) and every rank's dparameters must equal the one-shot
kernels on the whole rows within float32 rounding. Prints one line per check and its largest difference; exits 1 when
one fails.
"""
import importlib
import os
import sys
import types

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

folder, module_name, input_file, multiprocessors, port, port2 = sys.argv[1:7]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "emulated_cupy"))
sys.path.insert(0, folder)
# The emulated device has no CUDA context: its size and stream, as the C# emulated device has them.
torch.cuda.get_device_properties = lambda index: types.SimpleNamespace(multi_processor_count=int(multiprocessors))
torch.cuda.current_stream = lambda index: types.SimpleNamespace(cuda_stream=0)
TOLERANCE = 1e-5  # two ranks, float32: largest difference over the largest magnitude


def one_shot(module, x, gate, dy, parameters, group=None):
    y = module.fused_forward(x, gate, parameters, group)
    dx, dparameters, dgate = module.fused_backward(x, gate, dy, parameters, group)
    return {"y": y, "dx": dx, "dparameters": dparameters, "dgate": dgate}


def inputs(dtype):
    data = torch.load(input_file)
    x, dy, parameters = (data[k].to(dtype) for k in ("x", "dy", "parameters"))
    return x, (data["gate"].to(dtype) if "gate" in data else None), dy, parameters


def run(rank, world, failures):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", port if world == 1 else port2
    dist.init_process_group("gloo", rank=rank, world_size=world)
    group = dist.new_group(list(range(world)))
    module = importlib.import_module(module_name)
    module.cuda_available()
    assert module._cupy is not None, module._cupy_error
    lines = []
    if world == 1:
        for dtype in (torch.float32, torch.bfloat16, torch.float16):
            x, gate, dy, parameters = inputs(dtype)
            cases = [("", x)]
            if dtype != torch.float16:  # 2^40 x overflows float16
                scaled = x.clone()
                scaled[::2] *= 2.0 ** 40
                cases.append((" (rows scaled by 2^40)", scaled))
            for label, xs in cases:
                whole, split = one_shot(module, xs, gate, dy, parameters), one_shot(module, xs, gate, dy, parameters, group)
                for key in whole:
                    same = torch.equal(whole[key].view(torch.int16 if dtype != torch.float32 else torch.int32),
                                       split[key].view(torch.int16 if dtype != torch.float32 else torch.int32))
                    lines.append(f"P=1 {dtype}{label} {key}: {'bitwise equal' if same else 'DIFFERENT'}")
                    if not same:
                        failures.append(lines[-1])
    else:
        x, gate, dy, parameters = inputs(torch.float32)
        whole = one_shot(module, x, gate, dy, parameters)
        shard = lambda t: None if t is None else t.chunk(world, -1)[rank].contiguous()
        split = one_shot(module, shard(x), shard(gate), shard(dy), parameters, group)
        for key, value in split.items():
            if value.numel() == 0:
                continue
            if key != "dparameters":  # gather the shards into whole rows
                parts = [torch.empty_like(value) for _ in range(world)]
                dist.all_gather(parts, value.contiguous(), group=group)
                value = torch.cat(parts, -1)
            reference = whole[key]
            difference = float((value - reference).abs().max() / reference.abs().max().clamp_min(1e-30))
            lines.append(f"P={world} rank {rank} {key}: largest difference {difference:.3g} of the largest magnitude")
            if not difference <= TOLERANCE:
                failures.append(lines[-1])
    print("\n".join(lines), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    manager = mp.Manager()
    failures = manager.list()
    run(0, 1, failures)
    mp.spawn(run, args=(2, failures), nprocs=2)
    if failures:
        print("FAILED:\n" + "\n".join(failures))
        sys.exit(1)
    print("ok")
