"""The explorer's model in PyTorch: the same layers, parameter names and state_dict keys as
src/Samples/Explorer/TinyTransformer.cs, so a checkpoint the explorer writes loads here and back.

The FFN activation is a module PolyComGen emitted (`polycom emit NAME --torch DIR`), or one of the explorer's
baselines (GELU, ReLU, ReLU2, SwiGLU).
"""
import importlib
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

BASELINES = {
    "GELU": (False, lambda: _Lambda(F.gelu)),
    "ReLU": (False, lambda: _Lambda(F.relu)),
    "ReLU2": (False, lambda: _Lambda(lambda x: F.relu(x).square())),
    "SwiGLU": (True, lambda: _GatedLambda(lambda a, b: F.silu(a) * b)),
}


class _Lambda(nn.Module):
    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, x):
        return self.function(x)


class _GatedLambda(nn.Module):
    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, a, b):
        return self.function(a, b)


def activation_factory(name, module_dir=None):
    """(gated, factory) of an activation: a baseline, or the PolyComGen module NAME emitted into module_dir."""
    if name in BASELINES:
        return BASELINES[name]
    if module_dir is None:
        raise ValueError(f"{name} is not a baseline ({', '.join(BASELINES)}): give the folder of its emitted module.")
    if module_dir not in sys.path:
        sys.path.insert(0, module_dir)
    try:
        module = importlib.import_module(name.lower())
    except ImportError as error:
        raise ValueError(f"No module {name.lower()}.py in {module_dir}: run `polycom emit {name} --torch {module_dir}` first.") from error
    return module.GATED, getattr(module, name)


class RMSNorm(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.weight


def hidden_width(width, gated):
    """4x the width, or 2/3 of that for gated FFNs (equal parameters), rounded half to even as .NET's Math.Round."""
    return int(round(4.0 * width * 2 / 3)) if gated else 4 * width


class FeedForward(nn.Module):
    def __init__(self, width, gated, create):
        super().__init__()
        hidden = hidden_width(width, gated)
        self.up = nn.Linear(width, hidden, bias=False)
        if gated:
            self.gate = nn.Linear(width, hidden, bias=False)
            self.gatedActivation = create()
        else:
            self.activation = create()
        self.down = nn.Linear(hidden, width, bias=False)
        self.gated = gated

    def forward(self, x):
        if self.gated:
            return self.down(self.gatedActivation(self.gate(x), self.up(x)))
        return self.down(self.activation(self.up(x)))


def _causal_attention(q, k, v):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    time = q.shape[-2]
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    mask = torch.ones(time, time, dtype=torch.bool, device=q.device).tril()
    return scores.masked_fill(~mask, float("-inf")).softmax(-1) @ v


class CausalSelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.output = nn.Linear(width, width, bias=False)

    def forward(self, x):
        batch, time, width = x.shape
        q, k, v = self.qkv(x).view(batch, time, 3, self.heads, width // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        return self.output(_causal_attention(q, k, v).transpose(1, 2).reshape(batch, time, width))


class Block(nn.Module):
    def __init__(self, width, heads, gated, create):
        super().__init__()
        self.attentionNorm = RMSNorm(width)
        self.attention = CausalSelfAttention(width, heads)
        self.feedForwardNorm = RMSNorm(width)
        self.feedForward = FeedForward(width, gated, create)

    def forward(self, x):
        x = x + self.attention(self.attentionNorm(x))
        return x + self.feedForward(self.feedForwardNorm(x))


class TinyTransformer(nn.Module):
    """A small decoder-only language model whose FFN activation is pluggable, as the explorer's."""

    def __init__(self, vocabulary, width, layers, heads, sequence_length, activation, module_dir=None):
        super().__init__()
        gated, create = activation_factory(activation, module_dir)
        self.tokens = nn.Embedding(vocabulary, width)
        self.positions = nn.Parameter(torch.randn(sequence_length, width) * 0.02)
        self.blocks = nn.ModuleList([Block(width, heads, gated, create) for _ in range(layers)])
        self.finalNorm = RMSNorm(width)
        self.head = nn.Linear(width, vocabulary, bias=False)

    def forward(self, ids):
        x = self.tokens(ids) + self.positions[: ids.shape[1]]
        for block in self.blocks:
            x = block(x)
        return self.head(self.finalNorm(x))

    @staticmethod
    def from_checkpoint(path, module_dir=None, map_location="cpu"):
        """The model of an explorer checkpoint (NAME-seedS.pt, with NAME-seedS.json beside it), its weights loaded."""
        with open(os.path.splitext(path)[0] + ".json") as f:
            config = json.load(f)
        model = TinyTransformer(config["vocabulary"], config["width"], config["layers"], config["heads"],
                                config["sequenceLength"], config["variant"], module_dir)
        model.load_state_dict(torch.load(path, map_location=map_location))
        return model, config


def explorer_optimizer(model, peak, steps):
    """(optimizer, schedule) as the explorer trains: AdamW (betas 0.9, 0.95, weight decay 0.1) at peak learning rate
    `peak`, warmed up linearly over a tenth of `steps`, then decayed along a cosine to a tenth of it."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=peak, betas=(0.9, 0.95), weight_decay=0.1)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: (step + 1) / warmup if step < warmup else
                                                 0.1 + 0.45 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup))))
    return optimizer, schedule
