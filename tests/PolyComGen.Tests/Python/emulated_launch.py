"""Runs an emitted module's CUDA launch path (fused_forward, fused_backward) on the emulated CUDA device, through
the CuPy stand-in in emulated_cupy/, on CPU tensors: the geometry, the argument order, the partials and the
reduction of the Python module, with the kernels the C# runtime launches.

    python emulated_launch.py MODULE_DIR MODULE CLASS INPUT OUTPUT MULTIPROCESSORS

INPUT holds x, dy, parameters (and gate) in float32, and for kernels with experts the offsets (int64); for each of
float32, bfloat16 and float16 OUTPUT receives y, dx, dparameters (and dgate) computed in that dtype, stored as
float32 (exactly).
"""
import importlib
import os
import sys
import types

import torch

folder, module_name, class_name, input_file, output_file, multiprocessors = sys.argv[1:7]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "emulated_cupy"))
sys.path.insert(0, folder)
# The emulated device has no CUDA context: its size and stream, as the C# emulated device has them.
torch.cuda.get_device_properties = lambda index: types.SimpleNamespace(multi_processor_count=int(multiprocessors))
torch.cuda.current_stream = lambda index: types.SimpleNamespace(cuda_stream=0)

module = importlib.import_module(module_name)
module.cuda_available()
assert module._cupy is not None, module._cupy_error
inputs = torch.load(input_file)
outputs = {}
for dtype in (torch.float32, torch.bfloat16, torch.float16):
    x, dy, parameters = (inputs[k].to(dtype) for k in ("x", "dy", "parameters"))
    gate = inputs["gate"].to(dtype) if "gate" in inputs else None
    offsets = inputs.get("offsets")
    y = module.fused_forward(x, gate, parameters, offsets=offsets)
    dx, dparameters, dgate = module.fused_backward(x, gate, dy, parameters, offsets=offsets)
    name = str(dtype).replace("torch.", "")
    results = {"y": y, "dx": dx, "dparameters": dparameters}
    if gate is not None:
        results["dgate"] = dgate
    for key, value in results.items():
        outputs[f"{name}.{key}"] = value.float()
torch.save(outputs, output_file)
print("ok")
