"""Trains the explorer's model with its FFN sharded over ranks (Megatron-style tensor parallelism) and a PolyComGen
activation that stays exact over whole rows:

    polycom emit PolyNorm --torch modules/            # the activation as a PyTorch module
    torchrun --nproc_per_node 2 examples/torch/train_tp.py --activation PolyNorm --modules modules/

Each rank holds H/P of the FFN's hidden units: the up (and gate) projection is column-parallel, the activation runs on
the rank's shard of every row, built with process_group so that a norm's statistics cover the whole row, and the down
projection is row-parallel, its partial outputs all-reduced. Everything else is replicated, and every rank trains on
the same batches. gloo on CPUs, NCCL on GPUs (one per process).

--check also trains the unsharded model, from the same initialisation on the same batches, in every process, and
reports the largest difference between the two losses; --dtype float64 makes that difference rounding alone.
"""
import argparse
import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny_transformer import BASELINES, TinyTransformer, activation_factory, explorer_optimizer, hidden_width  # noqa: E402
from train_ddp import batch, synthetic_corpus  # noqa: E402


class _CopyToGroup(torch.autograd.Function):
    """Megatron's f: identity forward; backward all-reduces the input's gradient, to which every rank's shard adds."""

    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, group=ctx.group)
        return grad, None


class _SumOverGroup(torch.autograd.Function):
    """Megatron's g: forward all-reduces the row-parallel projection's partial outputs; backward is the identity."""

    @staticmethod
    def forward(ctx, partial, group):
        total = partial.contiguous().clone()
        dist.all_reduce(total, group=group)
        return total

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class ParallelFeedForward(nn.Module):
    """A FeedForward of tiny_transformer.py sharded over group: this rank's rows of up (and gate), its columns of down,
    and the activation over its shard of the hidden units, exact over whole rows. Its sharded weights are marked
    `tensor_parallel`; the activation's parameters are replicated (their gradient summed over the group)."""

    def __init__(self, dense, group, create, shard_local=False):
        super().__init__()
        rank, world = dist.get_rank(group), dist.get_world_size(group)
        hidden = dense.up.weight.shape[0]
        if hidden % world != 0:
            raise ValueError(f"The hidden width {hidden} does not split into {world} equal shards.")
        rows = slice(rank * hidden // world, (rank + 1) * hidden // world)
        self.group, self.gated = group, dense.gated
        self.up = nn.Parameter(dense.up.weight.detach()[rows].clone())
        self.down = nn.Parameter(dense.down.weight.detach()[:, rows].clone())
        self.up.tensor_parallel = self.down.tensor_parallel = True
        dense_activation = dense.gatedActivation if dense.gated else dense.activation
        self.activation = (create() if shard_local else create(process_group=group)).to(next(dense_activation.parameters()).dtype)
        self.activation.load_state_dict(dense_activation.state_dict())
        if dense.gated:
            self.gate = nn.Parameter(dense.gate.weight.detach()[rows].clone())
            self.gate.tensor_parallel = True

    def forward(self, x):
        x = _CopyToGroup.apply(x, self.group)
        up = F.linear(x, self.up)
        hidden = self.activation(F.linear(x, self.gate), up) if self.gated else self.activation(up)
        return _SumOverGroup.apply(F.linear(hidden, self.down), self.group)


def shard(model, group, create, shard_local=False):
    """The model with every block's FFN replaced by its shard on this rank (the model is the same on every rank)."""
    for block in model.blocks:
        block.feedForward = ParallelFeedForward(block.feedForward, group, create, shard_local)
    return model


def clip_gradients(parameters, limit, group):
    """clip_grad_norm_ over the whole model: the squares of the sharded gradients summed over the group, the
    replicated ones (the same on every rank) counted once."""
    parameters = [p for p in parameters if p.grad is not None]
    sharded = sum((p.grad.double().square().sum() for p in parameters if getattr(p, "tensor_parallel", False)), torch.zeros((), dtype=torch.float64))
    dist.all_reduce(sharded, group=group)
    replicated = sum((p.grad.double().square().sum() for p in parameters if not getattr(p, "tensor_parallel", False)), torch.zeros((), dtype=torch.float64))
    norm = float((sharded + replicated).sqrt())
    scale = limit / (norm + 1e-6)
    if scale < 1:
        for p in parameters:
            p.grad.mul_(scale)
    return norm


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activation", default="PolyNorm", help="a PolyComGen activation emitted into --modules")
    parser.add_argument("--modules", default="modules", help="the folder of `polycom emit NAME --torch`")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=16, help="sequences per step (the same on every rank)")
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--seq", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--check", action="store_true", help="also train the unsharded model and compare the losses")
    parser.add_argument("--shard-local", action="store_true",
                        help="build the activation without the group, so that a norm covers each rank's shard alone, as the "
                             "paper's Megatron PolyNorm does at tensor-parallel degree > 1: a different function, for comparison")
    args = parser.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    group = dist.new_group(list(range(world)))
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0))) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    dtype = getattr(torch, args.dtype)
    if args.activation in BASELINES:
        raise ValueError(f"{args.activation} is a baseline: only PolyComGen activations take a process group.")
    gated, create = activation_factory(args.activation, args.modules)
    if hidden_width(args.width, gated) % world != 0:
        fits = [w for w in range(args.heads, 4 * args.width, args.heads) if hidden_width(w, gated) % world == 0]
        nearest = sorted(fits, key=lambda w: abs(w - args.width))[:2]
        raise ValueError(f"The FFN's hidden width {hidden_width(args.width, gated)} at --width {args.width} ({'2/3 of ' if gated else ''}4x "
                         f"the width) does not split into {world} equal shards; try --width "
                         + " or ".join(f"{w} ({hidden_width(w, gated)} hidden units)" for w in sorted(nearest)) + ".")
    vocabulary = 16
    torch.manual_seed(args.seed)  # the same initial model on every rank
    dense = TinyTransformer(vocabulary, args.width, args.layers, args.heads, args.seq, args.activation, args.modules).to(dtype)
    reference = None
    if args.check:
        reference = TinyTransformer(vocabulary, args.width, args.layers, args.heads, args.seq, args.activation, args.modules).to(dtype)
        reference.load_state_dict(dense.state_dict())
        reference.to(device)
    model = shard(dense, group, create, args.shard_local).to(device)
    corpus = synthetic_corpus(vocabulary, 50_000, args.seed)
    optimizer, schedule = explorer_optimizer(model, args.lr, args.steps)
    if reference is not None:
        reference_optimizer, reference_schedule = explorer_optimizer(reference, args.lr, args.steps)
    batches = torch.Generator().manual_seed(1000)  # the same data on every rank

    losses, differences = [], []
    for step in range(args.steps):
        inputs, targets = batch(corpus, args.batch, args.seq, batches, device)
        logits = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        clip_gradients(model.parameters(), 1.0, group)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if reference is not None:
            logits = reference(inputs)
            reference_loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
            reference_optimizer.zero_grad()
            reference_loss.backward()
            torch.nn.utils.clip_grad_norm_(reference.parameters(), 1.0)
            reference_optimizer.step()
            reference_schedule.step()
            differences.append(abs(loss.item() - reference_loss.item()))
        if rank == 0 and (step + 1) % max(1, args.steps // 10) == 0:
            print(f"step {step + 1:5d}  loss {losses[-1]:.6f}", flush=True)

    first, last = sum(losses[:10]) / min(10, len(losses)), sum(losses[-10:]) / min(10, len(losses))
    if rank == 0:
        hidden = model.blocks[0].feedForward.up.shape[0]
        print(f"world {world}, backend {dist.get_backend()}, activation {args.activation}{' (shard-local)' if args.shard_local else ''}, "
              f"{args.dtype}, {hidden} hidden units per rank: loss {first:.6f} -> {last:.6f}"
              + (f"; unsharded model: largest loss difference {max(differences):.3g} over {len(differences)} steps" if differences else ""))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
