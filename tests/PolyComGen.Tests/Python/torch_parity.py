"""Runs PolyComGen's emitted PyTorch modules on inputs the C# tests wrote, and saves what they give.

    python torch_parity.py MANIFEST.json

Each case of the manifest names a module folder, a class, an input file (x, dy, every parameter as p.KEY and, for
gated activations, gate: a torch.save'd dict) and an output file, which receives y, dx, d.KEY for every parameter
(and dgate), the module's fresh state_dict (initial.KEY) and the state_dict after the case's parameters were set.
For the activations with learned parameters, it also writes ref.y, ref.dx and ref.d.KEY: the same in float64 from the
formulas below, written here by hand as the published code writes them, with PyTorch's autograd.
"""
import importlib
import json
import sys
import warnings

import torch

warnings.simplefilter("ignore", RuntimeWarning)


def _norm(u, eps=1e-6):
    return u * torch.rsqrt(u.pow(2).mean(-1, keepdim=True) + eps)


def _groups(p, x):
    """A parameter per group ([G]) as a vector over the last dimension, each value over its group's columns."""
    return p.repeat_interleave(x.shape[-1] // p.numel()) if p.numel() > 1 else p


def _pade(x, a, b):
    # Rational_PYTORCH_A_F's form: powers stacked, numerator sum, denominator 1 + sum |b_j x^j|.
    powers = torch.stack([x ** i for i in range(len(a))], -1)
    numerator = (powers * torch.stack([_groups(c, x) for c in a], -1)).sum(-1)
    denominator = 1 + (powers[..., 1:len(b) + 1] * torch.stack([_groups(c, x) for c in b], -1)).abs().sum(-1)
    return numerator / denominator


def _polycom(x, w, b, basis, order, type_):
    w = w.reshape(-1, order)
    y = _groups(b.reshape(-1), x)
    for i in range(1, order + 1):
        y = y + _groups(w[:, i - 1], x) * (basis(x) ** i if type_ == 1 else basis(x ** i))
    return y


FORMULAS = {
    "SwishBetaType1Order3": lambda x, p: _polycom(x, p["weight"], p["bias"], lambda u: u * torch.sigmoid(p["beta"] * u), 3, 1),
    "NormSwishBetaType2Order3": lambda x, p: _polycom(x, p["weight"], p["bias"], lambda u: _norm(u * torch.sigmoid(p["beta"] * u)), 3, 2),
    "GroupedSwishBetaType1Order2": lambda x, p: _polycom(x, p["weight"], p["bias"], lambda u: u * torch.sigmoid(_groups(p["beta"], x) * u), 2, 1),
    "GroupedPolyNorm": lambda x, p: _polycom(x, p["weight"], p["bias"], _norm, 3, 2),
    "XIELU": lambda x, p: torch.where(x > 0, torch.nn.functional.softplus(p["alpha_p"]) * x * x + 0.5 * x,
                                      (torch.expm1(torch.minimum(x, torch.full_like(x, -1e-6))) - x) * (0.5 + torch.nn.functional.softplus(p["alpha_n"])) + 0.5 * x),
    "PadeA54": lambda x, p: _pade(x, [p[f"a{i}"] for i in range(6)], [p[f"b{j}"] for j in range(1, 5)]),
    "KatGroupedRational": lambda x, p: _pade(x, [p[f"a{i}"] for i in range(6)], [p[f"b{j}"] for j in range(1, 5)]),
    "NormTanhGamma": lambda x, p: _norm(x + p["gamma"] * torch.tanh(x)),
    "GroupedNormTanhGamma": lambda x, p: _norm(x + _groups(p["gamma"], x) * torch.tanh(x)),
    "Mish": lambda x, p: x * torch.tanh(torch.nn.functional.softplus(x)),
}
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
    formula = FORMULAS.get(case["class"])
    if formula is not None:
        parameters = {k[2:]: v.double().clone().requires_grad_() for k, v in inputs.items() if k.startswith("p.")}
        x64 = inputs["x"].double().clone().requires_grad_()
        reference = formula(x64, parameters)
        reference.backward(inputs["dy"].double())
        outputs["ref.y"] = reference.detach()
        outputs["ref.dx"] = x64.grad
        for key, parameter in parameters.items():
            outputs["ref.d." + key] = parameter.grad if parameter.grad is not None else torch.zeros_like(parameter)
    # Gradients of parameters concatenated into one vector are views of its gradient: save each on its own storage.
    outputs = {k: v.clone() for k, v in outputs.items()}
    torch.save(outputs, case["output"])
    torch.save(module.state_dict(), case["output"] + ".state.pt")
print(f"{len(manifest)} cases")
