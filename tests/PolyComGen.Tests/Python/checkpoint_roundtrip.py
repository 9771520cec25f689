"""Loads an explorer checkpoint into the PyTorch twin of the model, and trains it a little further.

    python checkpoint_roundtrip.py CHECKPOINT MODULES IDS OUT

Writes OUT/loaded.pt (the state_dict as loaded), OUT/logits.pt (logits of IDS' "ids"), then trains 5 AdamW steps on
the corpus saved beside the checkpoint and writes OUT/trained.pt (its state_dict) and OUT/logits_after.pt.
"""
import os
import sys
import warnings

import torch
import torch.nn.functional as F

warnings.simplefilter("ignore", RuntimeWarning)
checkpoint, modules, ids_file, out = sys.argv[1:5]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "torch"))
from tiny_transformer import TinyTransformer  # noqa: E402

model, config = TinyTransformer.from_checkpoint(checkpoint, modules)
torch.save(model.state_dict(), os.path.join(out, "loaded.pt"))
ids = torch.load(ids_file)["ids"]
with torch.no_grad():
    torch.save({"logits": model(ids)}, os.path.join(out, "logits.pt"))

corpus = torch.load(os.path.join(os.path.dirname(checkpoint), "corpus.pt"))["train"]
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
generator = torch.Generator().manual_seed(0)
length = config["sequenceLength"]
for step in range(5):
    starts = torch.randint(0, corpus.numel() - length - 1, (4,), generator=generator)
    window = torch.arange(length)
    logits = model(corpus[starts[:, None] + window])
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), corpus[starts[:, None] + window + 1].reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
torch.save(model.state_dict(), os.path.join(out, "trained.pt"))
with torch.no_grad():
    torch.save({"logits": model(ids)}, os.path.join(out, "logits_after.pt"))
print("ok")
