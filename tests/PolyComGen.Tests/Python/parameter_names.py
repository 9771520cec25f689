"""Each emitted module of a parameter-name test, in PyTorch: loads the C# module's checkpoint, computes the same
activation, trains one step and saves its state_dict for the C# module to load.

    python parameter_names.py FOLDER NAME...

For each NAME: imports FOLDER/name.py, loads FOLDER/NAME.pt (the C# module's state_dict), compares its forward on
FOLDER/NAME.x.pt's "x" with the C#'s "y" there (float64), takes one SGD step and writes FOLDER/NAME.trained.pt. Prints
"ok NAME" per module.
"""
import importlib
import os
import sys
import warnings

import torch

warnings.simplefilter("ignore", RuntimeWarning)
folder, names = sys.argv[1], sys.argv[2:]
sys.path.insert(0, folder)
for name in names:
    module = getattr(importlib.import_module(name.lower()), name)().double()
    state = torch.load(os.path.join(folder, name + ".pt"))
    module.load_state_dict({k: v.double() for k, v in state.items()})
    data = torch.load(os.path.join(folder, name + ".x.pt"))
    y = module(data["x"])
    error = (y - data["y"]).abs().max().item()
    assert error < 1e-12, f"{name}: PyTorch's forward differs from C#'s by {error}"
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    y.square().mean().backward()
    optimizer.step()
    torch.save({k: v.float() for k, v in module.state_dict().items()}, os.path.join(folder, name + ".trained.pt"))
    print("ok", name)
