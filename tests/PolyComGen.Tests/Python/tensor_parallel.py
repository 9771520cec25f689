"""Two ranks over gloo, each holding half of every row (Megatron's column-parallel shard): an emitted module built
with process_group on its shard equals the unsharded module on the whole rows.

    python tensor_parallel.py MODULE_DIR PORT MODULE...

For each module and each of float64 and float32: the gathered output and input gradient (and the gate's gradient)
against the unsharded module's, and every rank's parameter gradients against the unsharded ones (summed over the
group); elementwise modules must give bitwise the same output and input gradients with and without the group; a module with groups of columns
must refuse a group. Prints one line per module and dtype with the
largest relative difference; exits 1 when one exceeds 1e-12 (float64) or 1e-5 (float32).
"""
import importlib
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

folder, port = sys.argv[1:3]
names = sys.argv[3:]
LIMITS = {torch.float64: 1e-12, torch.float32: 1e-5}


def relative(a, b):
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-300)) if b.numel() else 0.0


def check(rank, world, group, module, dtype):
    cls = getattr(module, module.NAME)
    torch.manual_seed(0)
    whole, sharded = cls().to(dtype), cls(process_group=group).to(dtype)
    with torch.no_grad():
        for p, q in zip(whole.parameters(), sharded.parameters()):
            p.uniform_(-1, 1)
            q.copy_(p)
    x, gate, dy = (torch.randn(3, 4, 64, dtype=dtype) for _ in range(3))
    x[0, 0] *= 1e3  # rows of very different scales
    shard = lambda t: t.chunk(world, -1)[rank].clone().requires_grad_()
    xs, gates = shard(x), shard(gate)
    x.requires_grad_()
    gate.requires_grad_()
    y = whole(x, gate) if module.GATED else whole(x)
    ys = sharded(xs, gates) if module.GATED else sharded(xs)
    y.backward(dy)
    ys.backward(dy.chunk(world, -1)[rank])
    mine = lambda t: t.chunk(world, -1)[rank]
    pairs = [(ys, mine(y)), (xs.grad, mine(x.grad))] + ([(gates.grad, mine(gate.grad))] if module.GATED else [])
    pairs += [(q.grad, p.grad) for p, q in zip(whole.parameters(), sharded.parameters())]
    worst = max(relative(a, b) for a, b in pairs)
    if not module.ROWWISE:
        same = all(torch.equal(a, b) for a, b in pairs[:-len(list(whole.parameters())) or None])
        return (f"elementwise, y and input gradients {'bitwise the same' if same else 'DIFFERENT'} with and without the group, "
                f"largest relative difference {worst:.3g}"), same and worst <= LIMITS[dtype]
    return f"largest relative difference {worst:.3g}", worst <= LIMITS[dtype]


def run(rank, world, failures):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", port
    dist.init_process_group("gloo", rank=rank, world_size=world)
    group = dist.new_group(list(range(world)))
    sys.path.insert(0, folder)
    for name in names:
        module = importlib.import_module(name)
        if module.GROUPS > 1:  # groups of columns with their own parameters: a group is refused, before anything runs
            try:
                getattr(module, module.NAME)(process_group=group)
                line, ok = "accepted a process group", False
            except ValueError as error:
                line, ok = f"rejects a process group: {error}", "process_group" in str(error)
            print(f"rank {rank} {module.NAME}: {line}", flush=True)
            if not ok:
                failures.append(f"rank {rank} {module.NAME}: {line}")
            continue
        for dtype in (torch.float64, torch.float32):
            line, ok = check(rank, world, group, module, dtype)
            print(f"rank {rank} {module.NAME} {dtype}: {line}", flush=True)
            if not ok:
                failures.append(f"rank {rank} {module.NAME} {dtype}: {line}")
    dist.destroy_process_group()


if __name__ == "__main__":
    failures = mp.Manager().list()
    mp.spawn(run, args=(2, failures), nprocs=2)
    if failures:
        print("FAILED:\n" + "\n".join(failures))
        sys.exit(1)
    print("ok")
