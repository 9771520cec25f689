"""Trains the explorer's model with a PolyComGen activation under PyTorch's distributed engine:

    polycom emit PolyNorm --torch modules/            # the activation as a PyTorch module
    torchrun --nproc_per_node 2 examples/torch/train_ddp.py --activation PolyNorm --modules modules/

DistributedDataParallel with the gloo backend on CPU, NCCL on GPUs (one per process). Each rank draws its own
batches; DDP averages the gradients, so every rank holds the same parameters after every step, which the script
checks at the end. --checkpoint continues from an explorer checkpoint (explore-out/checkpoints/NAME-seedS.pt) on
the corpus the explorer saved beside it; otherwise it trains a fresh model on a synthetic Markov corpus.
"""
import argparse
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny_transformer import TinyTransformer, explorer_optimizer  # noqa: E402


def synthetic_corpus(vocabulary, tokens, seed):
    """A first-order Markov chain with peaked transitions: learnable, with a known floor."""
    generator = torch.Generator().manual_seed(seed)
    transitions = torch.softmax(3.0 * torch.randn(vocabulary, vocabulary, generator=generator), dim=-1)
    ids = torch.empty(tokens, dtype=torch.long)
    ids[0] = 0
    draws = torch.rand(tokens, generator=generator)
    cumulative = transitions.cumsum(-1)
    for i in range(1, tokens):
        ids[i] = min(int(torch.searchsorted(cumulative[ids[i - 1]], draws[i])), vocabulary - 1)
    return ids


def batch(corpus, size, length, generator, device):
    starts = torch.randint(0, corpus.numel() - length - 1, (size,), generator=generator)
    window = torch.arange(length)
    inputs = corpus[starts[:, None] + window]
    return inputs.to(device), corpus[starts[:, None] + window + 1].to(device)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activation", default="PolyNorm", help="a PolyComGen activation (emitted into --modules) or GELU, ReLU, ReLU2, SwiGLU")
    parser.add_argument("--modules", default="modules", help="the folder of `polycom emit NAME --torch`")
    parser.add_argument("--checkpoint", help="an explorer checkpoint to continue from")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=16, help="sequences per rank and step")
    parser.add_argument("--lr", type=float, help="peak learning rate (default 3e-3, or 1e-3 when continuing a checkpoint)")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--seq", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", help="where rank 0 saves the trained state_dict (loads into the C# model with load_py)")
    args = parser.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0))) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)

    torch.manual_seed(args.seed)  # the same initial model on every rank
    if args.checkpoint:
        model, config = TinyTransformer.from_checkpoint(args.checkpoint, args.modules)
        corpus = torch.load(os.path.join(os.path.dirname(args.checkpoint), "corpus.pt"))["train"]
        length = config["sequenceLength"]
    else:
        vocabulary = 16
        model = TinyTransformer(vocabulary, args.width, args.layers, args.heads, args.seq, args.activation, args.modules)
        corpus = synthetic_corpus(vocabulary, 50_000, args.seed)
        length = args.seq
    model.to(device)
    parallel = DistributedDataParallel(model, device_ids=[device.index] if cuda else None)
    peak = args.lr if args.lr is not None else (1e-3 if args.checkpoint else 3e-3)
    optimizer, schedule = explorer_optimizer(parallel, peak, args.steps)
    batches = torch.Generator().manual_seed(1000 + rank)  # each rank its own data

    losses = []
    clock = time.time()
    for step in range(args.steps):
        inputs, targets = batch(corpus, args.batch, length, batches, device)
        logits = parallel(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parallel.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        losses.append(mean.item() / world)
        if rank == 0 and (step + 1) % max(1, args.steps // 10) == 0:
            print(f"step {step + 1:5d}  loss {losses[-1]:.4f}  ({time.time() - clock:.1f} s)", flush=True)

    # Every rank must hold the same parameters: compare each with rank 0's.
    flat = torch.cat([p.detach().reshape(-1).float() for p in model.parameters()])
    reference = flat.clone()
    dist.broadcast(reference, 0)
    difference = torch.tensor([(flat - reference).abs().max().item()], device=device)
    dist.all_reduce(difference, op=dist.ReduceOp.MAX)
    first, last = sum(losses[:10]) / min(10, len(losses)), sum(losses[-10:]) / min(10, len(losses))
    if rank == 0:
        print(f"world {world}, backend {dist.get_backend()}, activation {args.activation}: "
              f"loss {first:.4f} -> {last:.4f}, largest parameter difference between ranks {difference.item():.3g}")
        if args.save:
            torch.save(model.state_dict(), args.save)
            print(f"saved {args.save}")
    dist.destroy_process_group()
    ok = difference.item() == 0 and last < first
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
