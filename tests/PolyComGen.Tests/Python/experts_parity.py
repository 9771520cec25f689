"""Checks an emitted PyTorch module with experts against the C# module's outputs and against its twin without experts,
applied expert by expert with each expert's parameters (the loop written here as the reference).

    python experts_parity.py FOLDER EXPERTS_MODULE EXPERTS_CLASS TWIN_MODULE TWIN_CLASS INPUT.pt

INPUT.pt (a torch.save'd dict from the C# test) holds x, dy, offsets, gate (when gated), the C# module's state_dict as
p.KEY, and what the C# module gave: y, dx, dgate and d.KEY for every parameter. Exits non-zero on a mismatch.
"""
import importlib
import sys

import torch

folder, experts_module, experts_class, twin_module, twin_class, path = sys.argv[1:7]
sys.path.insert(0, folder)
Experts = getattr(importlib.import_module(experts_module), experts_class)
Twin = getattr(importlib.import_module(twin_module), twin_class)
data = torch.load(path)
x, dy, offsets, gate = data["x"], data["dy"], data["offsets"], data.get("gate")
state = {key[2:]: value for key, value in data.items() if key.startswith("p.")}
failures = []


def check(name, actual, expected, tolerance=1e-10):
    scale = max(expected.abs().max().item(), 1e-30) if expected.numel() else 1.0
    error = (actual - expected).abs().max().item() / scale if expected.numel() else 0.0
    if not (error <= tolerance):
        failures.append(f"{name}: relative error {error:.2e}")


# The C# module's state_dict loads as it is: same keys, [E, ...] shapes.
module = Experts().to(torch.float64)
module.load_state_dict(state)
xs = x.clone().requires_grad_()
gs = None if gate is None else gate.clone().requires_grad_()
y = module(xs, gs, offsets) if gate is not None else module(xs, offsets)
y.backward(dy)
check("y", y.detach(), data["y"])
check("dx", xs.grad, data["dx"])
if gate is not None:
    check("dgate", gs.grad, data["dgate"])
for key, parameter in module.named_parameters():
    check(f"d{key}", parameter.grad, data["d." + key])

# The reference: the twin with expert e's parameters on expert e's rows.
bounds = offsets.tolist()
for e in range(len(bounds) - 1):
    rows = slice(bounds[e], bounds[e + 1])
    twin = Twin().to(torch.float64)
    with torch.no_grad():
        for key, parameter in twin.named_parameters():
            parameter.copy_(state[key][e].reshape(parameter.shape))
    xe = x[rows].clone().requires_grad_()
    ge = None if gate is None else gate[rows].clone().requires_grad_()
    ye = twin(xe, ge) if gate is not None else twin(xe)
    ye.backward(dy[rows])
    check(f"expert {e} y", y.detach()[rows], ye.detach())
    check(f"expert {e} dx", xs.grad[rows], xe.grad)
    if gate is not None:
        check(f"expert {e} dgate", gs.grad[rows], ge.grad)
    for key, parameter in twin.named_parameters():
        expected = parameter.grad if parameter.grad is not None else torch.zeros_like(parameter)
        check(f"expert {e} d{key}", dict(module.named_parameters())[key].grad[e].reshape(expected.shape), expected)

# Bad offsets are a clear error before anything runs.
for bad, message in [(offsets.to(torch.int32), "must be int64"), (offsets[:-1], "must have shape"), (offsets.flip(0), "must start at 0")]:
    try:
        module(x, gate, bad) if gate is not None else module(x, bad)
        failures.append(f"offsets {bad.tolist()} were accepted")
    except (TypeError, ValueError) as error:
        if message not in str(error):
            failures.append(f"offsets {bad.tolist()}: '{error}' does not say '{message}'")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
