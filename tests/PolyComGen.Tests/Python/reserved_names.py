"""The names PyTorch and the emitted module give a torch.nn.Module's attributes, for the generator's reserved list.

    python reserved_names.py MODULES NAME

Prints one JSON object: the public attributes of a torch.nn.Module instance, those the emitted module NAME (from the
folder MODULES) adds to them, and Python's keywords and soft keywords.
"""
import importlib
import json
import keyword
import sys
import warnings

import torch

warnings.simplefilter("ignore", RuntimeWarning)
modules, name = sys.argv[1:3]
sys.path.insert(0, modules)
module = getattr(importlib.import_module(name.lower()), name)()
base = set(dir(torch.nn.Module()))
print(json.dumps({
    "torch_module": sorted(n for n in base if not n.startswith("_")),
    "emitted_module": sorted(n for n in set(dir(module)) - base if not n.startswith("_") and n not in dict(module.named_parameters())),
    "keywords": sorted(keyword.kwlist + getattr(keyword, "softkwlist", [])),
}))
