"""Runs PolyComGen's emitted PyTorch modules on inputs the C# tests wrote, and saves what they give.

    python torch_parity.py MANIFEST.json

Each case of the manifest names a module folder, a class, an input file (x, dy, every parameter as p.KEY and, for
gated activations, gate: a torch.save'd dict) and an output file, which receives y, dx, d.KEY for every parameter
(and dgate), the module's fresh state_dict (initial.KEY) and the state_dict after the case's parameters were set.
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
    module.load_state_dict({k[2:]: v for k, v in inputs.items() if k.startswith("p.")})
    x = inputs["x"].clone().requires_grad_()
    gate = inputs["gate"].clone().requires_grad_() if "gate" in inputs else None
    y = module(x, gate) if gate is not None else module(x)
    y.backward(inputs["dy"])
    outputs = {"y": y.detach(), "dx": x.grad}
    for key, parameter in module.named_parameters():
        outputs["d." + key] = parameter.grad
    for key, value in initial.items():
        outputs["initial." + key] = value
    if gate is not None:
        outputs["dgate"] = gate.grad
    # Gradients of parameters concatenated into one vector are views of its gradient: save each on its own storage.
    outputs = {k: v.clone() for k, v in outputs.items()}
    torch.save(outputs, case["output"])
    torch.save(module.state_dict(), case["output"] + ".state.pt")
print(f"{len(manifest)} cases")
