# ---- The fixed part of every PolyComGen PyTorch module (polycom_prelude.py) ----

# ---- The expression language's helpers, as the C# eager code has them (EagerMath) ----

def polycom_softplus(u):
    """log(1 + exp(u)) as logaddexp(u, 0): stable, and its derivative is sigmoid(u) everywhere."""
    return torch.logaddexp(u, torch.zeros((), dtype=u.dtype, device=u.device))


def polycom_step(u):
    """1 where u > 0, else 0: relu's derivative."""
    return (u > 0).to(u.dtype)


def polycom_sign(u):
    """-1, 0 or 1: abs's derivative."""
    return torch.sign(u)


def polycom_heaviside(u):
    """1 where u > 0, 1/2 where u is 0, else 0: the derivatives of max and min."""
    return (u > 0).to(u.dtype) + (u == 0).to(u.dtype) * 0.5


def polycom_rescale(m, q):
    """The scale a row's norm statistic needs (docs/math.md section 4): 1 unless q, computed unscaled, exceeds the
    limit; then the power of two that brings the row's largest magnitude m into [1/2, 1). Never differentiated."""
    with torch.no_grad():
        one = torch.ones((), dtype=m.dtype, device=m.device)
        scaled = (m > one) & torch.isfinite(m) & ~(q <= NORM_STATISTIC_LIMIT)
        power = torch.pow(2.0, -torch.floor(torch.log2(m)) - 1)
        return torch.where(scaled, power, one)


# ---- Checks, raised before any kernel runs ----

def _check(x, gate, parameters):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{NAME}: x must be a tensor, not {type(x).__name__}.")
    if not x.is_floating_point():
        raise TypeError(f"{NAME}: input dtype {x.dtype} is not a floating-point dtype.")
    if GATED and gate is None:
        raise ValueError(f"{NAME} is gated: it multiplies by a gate of the input's shape, which is missing.")
    if not GATED and gate is not None:
        raise ValueError(f"{NAME} is not gated, so it takes no gate.")
    if gate is not None and (gate.dtype != x.dtype or gate.device != x.device or gate.shape != x.shape):
        raise ValueError(f"{NAME}: the gate ({gate.dtype}, {list(gate.shape)} on {gate.device}) must have the input's "
                         f"dtype, shape and device ({x.dtype}, {list(x.shape)} on {x.device}).")
    if SLOTS > 0:
        if parameters.dtype != x.dtype:
            raise TypeError(f"{NAME}: input dtype {x.dtype} does not match the parameters' dtype {parameters.dtype}; convert "
                            f"the module with .to({x.dtype}) or the input with .to({parameters.dtype}).")
        if parameters.device != x.device:
            raise ValueError(f"{NAME}: the parameters are on {parameters.device}, the input on {x.device}.")
    if tuple(parameters.shape) != (SLOTS,):
        raise ValueError(f"{NAME}: the parameter vector must have shape [{SLOTS}], not {list(parameters.shape)}.")
    if GROUPS > 1 and (x.dim() == 0 or x.shape[-1] % GROUPS != 0):
        raise ValueError(f"{NAME} splits the last dimension into {GROUPS} groups of equal length, but the input's last "
                         f"dimension is {'missing' if x.dim() == 0 else x.shape[-1]}; give it one divisible by {GROUPS}.")
    if ROWWISE and x.dim() == 0:
        raise ValueError(f"{NAME}: Norm normalises over the last dimension, but the input is a 0-dimensional tensor; "
                         "give it shape [..., H].")


# ---- The fused CUDA kernels: NVRTC through CuPy, launched as the C# runtime launches them ----

_cupy = None
_cupy_error = None


def cuda_available():
    """Whether the fused CUDA kernels can run here: CuPy imports and PyTorch sees a CUDA device."""
    global _cupy, _cupy_error
    if _cupy is None and _cupy_error is None:
        try:
            import cupy
            _cupy = cupy
        except Exception as error:  # ImportError, or a CuPy built for another CUDA
            _cupy_error = error
    return _cupy is not None and torch.cuda.is_available()


_modules = {}
_told = set()


def _say_once(reason):
    if reason not in _told:
        _told.add(reason)
        warnings.warn(f"{NAME}: {reason}", RuntimeWarning, stacklevel=3)


def _function(device_index, role, dtype):
    module = _modules.get(device_index)
    if module is None:
        with _cupy.cuda.Device(device_index):
            module = _cupy.RawModule(code=CUDA_SOURCE, options=("--std=c++17",))
        _modules[device_index] = module
    return module.get_function(ENTRY_POINTS[dtype][role])


_multiprocessors = {}


def _geometry(rows, h, element_size, device_index):
    """Blocks and partial rows, as the C# runtime's LaunchGeometry: depends on the shape, the element size and the
    device alone, so the gradients are the same on every run."""
    if rows == 0 or h == 0:
        return 0, 0
    if device_index not in _multiprocessors:
        _multiprocessors[device_index] = torch.cuda.get_device_properties(device_index).multi_processor_count
    cap = _multiprocessors[device_index] * BLOCKS_PER_MULTIPROCESSOR
    if ROWWISE:
        return min(rows, cap), rows
    per_chunk = CHUNK_BYTES // element_size
    chunks = (rows * (h // GROUPS) + per_chunk - 1) // per_chunk
    needed = (chunks + THREADS_PER_BLOCK - 1) // THREADS_PER_BLOCK
    grid = max(1, min(needed, max(1, cap // GROUPS)))
    return grid * GROUPS, grid


def _launch(role, dtype, device_index, blocks, values):
    import numpy
    arguments = []
    for kind in PARAMETERS[role]:
        value = values[kind]
        if kind == "h":
            arguments.append(numpy.int32(value))
        elif isinstance(value, torch.Tensor):
            arguments.append(numpy.uint64(value.data_ptr()))
        else:
            arguments.append(numpy.uint64(0 if value is None else value))
    stream = torch.cuda.current_stream(device_index)
    with _cupy.cuda.Device(device_index), _cupy.cuda.ExternalStream(stream.cuda_stream):
        _function(device_index, role, dtype)((int(blocks),), (THREADS_PER_BLOCK,), tuple(arguments))


def _rows(x):
    h = 1 if x.dim() == 0 else x.shape[-1]
    return (0 if h == 0 else x.numel() // h), h


def fused_forward(x, gate, parameters):
    """y from the fused forward kernel, for checked CUDA tensors of a supported dtype."""
    x, parameters = x.contiguous(), parameters.contiguous()
    gate = None if gate is None else gate.contiguous()
    rows, h = _rows(x)
    y = torch.empty_like(x)
    blocks, partial_rows = _geometry(rows, h, x.element_size(), x.device.index)
    if blocks > 0:
        _launch("forward", x.dtype, x.device.index, blocks, {"x": x, "gate": gate, "y": y, "parameters": parameters, "rows": rows, "h": h})
    return y


def fused_backward(x, gate, dy, parameters):
    """(dx, dparameters, dgate) from the fused backward kernel and the reduction of its partials; dgate is an
    empty tensor for an activation that is not gated."""
    x, dy, parameters = x.contiguous(), dy.contiguous(), parameters.contiguous()
    gate = None if gate is None else gate.contiguous()
    rows, h = _rows(x)
    dx = torch.empty_like(x)
    dgate = torch.empty_like(x) if gate is not None else x.new_empty(0)
    blocks, partial_rows = _geometry(rows, h, x.element_size(), x.device.index)
    if blocks == 0:
        return dx, torch.zeros(SLOTS, dtype=x.dtype, device=x.device), dgate
    dparameters = torch.empty(SLOTS, dtype=x.dtype, device=x.device)
    partials = torch.empty(partial_rows, SLOTS, dtype=torch.float32, device=x.device)
    values = {"x": x, "gate": gate, "dy": dy, "dx": dx, "dgate": dgate if gate is not None else None, "parameters": parameters,
              "partials": partials, "rows": rows, "h": h, "count": partial_rows, "dparameters": dparameters}
    _launch("backward", x.dtype, x.device.index, blocks, values)
    if SLOTS > 0:
        _launch("reduce", x.dtype, x.device.index, SLOTS, values)  # one block per column
    return dx, dparameters, dgate


class _FusedFunction(torch.autograd.Function):
    """The fused kernels under autograd (PyTorch without torch.library.custom_op); saves x (and the gate) only."""

    @staticmethod
    def forward(ctx, x, gate, parameters):
        ctx.save_for_backward(x, gate, parameters)
        return fused_forward(x, gate, parameters)

    @staticmethod
    def backward(ctx, dy):
        x, gate, parameters = ctx.saved_tensors
        dx, dparameters, dgate = fused_backward(x, gate, dy, parameters)
        return dx, (dgate if gate is not None else None), dparameters


_fused = _FusedFunction.apply
if hasattr(torch, "library") and hasattr(torch.library, "custom_op"):
    # PyTorch 2.4 and later: one opaque op for torch.compile, with its autograd and its shapes.
    try:
        _forward_op_name = f"polycomgen::{NAME.lower()}_forward"
        _backward_op_name = f"polycomgen::{NAME.lower()}_backward"

        @torch.library.custom_op(_forward_op_name, mutates_args=())
        def _forward_op(x: torch.Tensor, gate: Optional[torch.Tensor], parameters: torch.Tensor) -> torch.Tensor:
            return fused_forward(x, gate, parameters)

        @_forward_op.register_fake
        def _(x, gate, parameters):
            return torch.empty_like(x)

        @torch.library.custom_op(_backward_op_name, mutates_args=())
        def _backward_op(x: torch.Tensor, gate: Optional[torch.Tensor], dy: torch.Tensor,
                         parameters: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            return fused_backward(x, gate, dy, parameters)

        @_backward_op.register_fake
        def _(x, gate, dy, parameters):
            return (torch.empty_like(x), parameters.new_empty(SLOTS),
                    torch.empty_like(x) if gate is not None else x.new_empty(0))

        def _setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        def _backward(ctx, dy):
            x, gate, parameters = ctx.saved_tensors
            dx, dparameters, dgate = _backward_op(x, gate, dy, parameters)
            return dx, (dgate if gate is not None else None), dparameters

        _forward_op.register_autograd(_backward, setup_context=_setup_context)
        _fused = _forward_op
    except Exception as error:  # an op of this name already registered, or an older custom_op API
        warnings.warn(f"{NAME}: not registered as a custom op ({error}); the fused kernels run as an autograd.Function.", RuntimeWarning)


# ---- The module ----

class PolyComModule(torch.nn.Module):
    """The activation, with the parameters of LEARNABLE (name, length, initial value), in float32, as the C# module.

    forward(x) (or forward(x, gate) when gated) runs the fused CUDA kernels on CUDA tensors of float32, bfloat16 or
    float16 where CuPy is installed; otherwise the same formula as eager torch ops, which autograd differentiates.
    """

    def __init__(self):
        super().__init__()
        for name, length, initial, per_group in LEARNABLE:
            shape = (length,) if GROUPS == 1 or not per_group else ((GROUPS,) if length == 1 else (GROUPS, length))
            self.register_parameter(name, torch.nn.Parameter(torch.full(shape, initial, dtype=torch.float32)))

    spec = None  # set below: the attribute text
    formula = None

    def kernel_parameters(self, x=None):
        """Every parameter in one vector, in the kernels' slot order (an empty one of x's dtype when there are none)."""
        if not LEARNABLE:
            return torch.empty(0, dtype=torch.float32 if x is None else x.dtype, device=None if x is None else x.device)
        if GROUPS > 1:
            # Each group's slots side by side, a shared parameter repeated in every group, then flattened.
            parts = [getattr(self, name).reshape(GROUPS, -1) if per_group else getattr(self, name).reshape(1, 1).expand(GROUPS, 1)
                     for name, _, _, per_group in LEARNABLE]
            return torch.cat(parts, 1).reshape(-1)
        parts = [getattr(self, name) for name, _, _, _ in LEARNABLE]
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    def forward(self, x, gate=None):
        parameters = self.kernel_parameters(x)
        _check(x, gate, parameters)
        if x.is_cuda and x.dtype in ENTRY_POINTS:
            if cuda_available():
                return _fused(x, gate, parameters)
            _say_once(f"CuPy is not available ({_cupy_error}); CUDA tensors run the eager formula, not the fused kernels.")
        elif not x.is_cuda:
            _say_once("CPU tensors run the eager formula (the fused kernels are for CUDA tensors).")
        return eager_forward(x, gate, parameters)

    def extra_repr(self):
        return self.spec
