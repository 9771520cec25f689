"""A stand-in for CuPy, for tests only: RawModule(...).get_function(NAME)(grid, block, args) launches NAME on
PolyComGen's emulated CUDA device, the library the C# test compiled from the same translation unit
(POLYCOMGEN_EMULATED_LIBRARY), so an emitted module's CUDA launch path runs on CPU memory."""
import contextlib
import ctypes
import os
import types

import numpy

_library = ctypes.CDLL(os.environ["POLYCOMGEN_EMULATED_LIBRARY"])


class _Config(ctypes.Structure):
    # pcg_emu::Config: grid and block sizes, the schedule (0: thread order) and its seed.
    _fields_ = [("grid_x", ctypes.c_uint), ("grid_y", ctypes.c_uint), ("grid_z", ctypes.c_uint),
                ("block_x", ctypes.c_uint), ("block_y", ctypes.c_uint), ("block_z", ctypes.c_uint),
                ("schedule", ctypes.c_int), ("seed", ctypes.c_uint64)]


class _Function:
    def __init__(self, name):
        self.name = name
        self.launcher = getattr(_library, "pcg_emu_launch_" + name)
        self.launcher.restype = ctypes.c_int

    def __call__(self, grid, block, args):
        values = []
        for arg in args:
            if isinstance(arg, numpy.uint64):
                values.append(ctypes.c_uint64(int(arg)))
            elif isinstance(arg, numpy.int32):
                values.append(ctypes.c_int32(int(arg)))
            else:
                raise TypeError(f"{self.name}: argument of type {type(arg).__name__} is not supported")
        pointers = (ctypes.c_void_p * len(values))(*[ctypes.cast(ctypes.pointer(v), ctypes.c_void_p) for v in values])
        config = _Config(grid[0], grid[1] if len(grid) > 1 else 1, 1, block[0], 1, 1, 0, 0)  # a row of blocks per expert
        error = ctypes.create_string_buffer(512)
        if self.launcher(ctypes.byref(config), pointers, error, 512) != 0:
            raise RuntimeError(f"{self.name} failed on the emulated device: {error.value.decode()}")


class RawModule:
    def __init__(self, code, options=()):
        self.code = code

    def get_function(self, name):
        if not any(f"void __launch_bounds__({bound}) {name}(" in self.code for bound in ("PCG_BLOCK", "PCG_ROW_BLOCK")):
            raise KeyError(f"{name} is not an entry point of the source")
        return _Function(name)


cuda = types.SimpleNamespace(Device=lambda index: contextlib.nullcontext(), ExternalStream=lambda pointer: contextlib.nullcontext())
