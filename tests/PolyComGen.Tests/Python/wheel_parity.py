"""Runs the activations of the installed polycomgen wheel on inputs the C# test wrote, and saves what they give.

    python wheel_parity.py MANIFEST.json

Each case names a class and an input file (x, dy, every parameter as p.KEY and, for gated activations, gate); the
output file receives y, dx, d.KEY for every parameter (and dgate). index.json receives the package's DECLARATIONS,
its __all__ and where it was imported from, and what load() says of an unknown name.
"""
import json
import os
import sys

import torch

import polycomgen

with open(sys.argv[1]) as f:
    manifest = json.load(f)
for case in manifest["cases"]:
    inputs = torch.load(case["input"])
    module = polycomgen.load(case["class"])().double()
    assert type(module) is getattr(polycomgen, case["class"]), "polycomgen.NAME and load(NAME) give one class"
    with torch.no_grad():
        for key, parameter in module.named_parameters():
            parameter.copy_(inputs["p." + key])
    x = inputs["x"].clone().requires_grad_(True)
    gate = inputs["gate"].clone().requires_grad_(True) if "gate" in inputs else None
    y = module(x, gate) if gate is not None else module(x)
    y.backward(inputs["dy"])
    # Clones: each tensor its own storage, as the C# unpickler reads it.
    out = {"y": y.detach().clone(), "dx": x.grad.clone()}
    for key, parameter in module.named_parameters():
        out["d." + key] = parameter.grad.clone()
    if gate is not None:
        out["dgate"] = gate.grad.clone()
    torch.save(out, case["output"])
try:
    polycomgen.load("NoSuchActivation")
    unknown = "no error"
except KeyError as error:
    unknown = str(error)
with open(manifest["index"], "w") as f:
    json.dump({"declarations": polycomgen.DECLARATIONS, "all": polycomgen.__all__, "version": polycomgen.__version__,
               "file": os.path.realpath(polycomgen.__file__), "unknown": unknown}, f)
