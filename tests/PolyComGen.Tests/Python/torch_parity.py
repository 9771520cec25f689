"""Runs PolyComGen's emitted PyTorch modules on inputs the C# tests wrote, and saves what they give.

    python torch_parity.py MANIFEST.json

Each case of the manifest names a module folder, a class, an input file (x, dy, weight, bias and, for gated
activations, gate: a torch.save'd dict) and an output file, which receives y, dx, dweight, dbias (and dgate), the
module's fresh state_dict (initial.weight, initial.bias) and the state_dict after the case's parameters were set.
"""
import importlib
import json
import sys
import warnings

import torch

warnings.simplefilter("ignore", RuntimeWarning)
with open(sys.argv[1]) as f:
    manifest = json.load(f)
for case in manifest:
    if case["folder"] not in sys.path:
        sys.path.insert(0, case["folder"])
    cls = getattr(importlib.import_module(case["module"]), case["class"])
    inputs = torch.load(case["input"])
    module = cls()
    initial = {k: v.clone() for k, v in module.state_dict().items()}
    module.to(inputs["x"].dtype)  # first: load_state_dict copies into the parameters' own dtype
    module.load_state_dict({"weight": inputs["weight"], "bias": inputs["bias"]})
    x = inputs["x"].clone().requires_grad_()
    gate = inputs["gate"].clone().requires_grad_() if "gate" in inputs else None
    y = module(x, gate) if gate is not None else module(x)
    y.backward(inputs["dy"])
    outputs = {"y": y.detach(), "dx": x.grad, "dweight": module.weight.grad, "dbias": module.bias.grad,
               "initial.weight": initial["weight"], "initial.bias": initial["bias"]}
    if gate is not None:
        outputs["dgate"] = gate.grad
    torch.save(outputs, case["output"])
    torch.save(module.state_dict(), case["output"] + ".state.pt")
print(f"{len(manifest)} cases")
