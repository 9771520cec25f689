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


# ---- Tensor parallelism: rows sharded over a process group (docs/math.md section 5b) ----

def polycom_group_size(group):
    """The number of ranks a row is sharded over: 1 without a group."""
    return 1 if group is None else torch.distributed.get_world_size(group)


def _all_reduced(t, group, op=None):
    """A contiguous copy of t all-reduced over the group (summed, unless op says otherwise)."""
    total = t.contiguous().clone()
    torch.distributed.all_reduce(total, op=torch.distributed.ReduceOp.SUM if op is None else op, group=group)
    return total


def polycom_row_sum(t, group):
    """The sum over each row's last dimension, all-reduced over the group's shards."""
    s = torch.sum(t, dim=-1, keepdim=True)
    return s if group is None else _SumOverGroup.apply(s, group)


class _SumOverGroup(torch.autograd.Function):
    """The all-reduced sum of each rank's partial sums; every rank's total depends on every rank's partial, so the
    gradient of a partial is the sum of every rank's upstream gradient: all-reduced too."""

    @staticmethod
    def forward(ctx, partial, group):
        ctx.group = group
        return _all_reduced(partial, group)

    @staticmethod
    def backward(ctx, grad):
        return _all_reduced(grad, ctx.group), None


def polycom_row_max(t, group):
    """The largest value of each whole row: only ever the overflow guard's row maximum, which is never differentiated."""
    m = torch.amax(t, dim=-1, keepdim=True)
    if group is None:
        return m
    return _all_reduced(m.detach(), group, torch.distributed.ReduceOp.MAX)


class _ReplicatedOverGroup(torch.autograd.Function):
    """Identity forward; backward sums the gradient over the group, so that every rank holds the full gradient of
    parameters replicated on every rank of a tensor-parallel group (Megatron's copy-to-region)."""

    @staticmethod
    def forward(ctx, parameters, group):
        ctx.group = group
        return parameters.view_as(parameters)

    @staticmethod
    def backward(ctx, grad):
        return _all_reduced(grad, ctx.group), None


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
    if tuple(parameters.shape) != (EXPERTS * SLOTS,):
        raise ValueError(f"{NAME}: the parameter vector must have shape [{EXPERTS * SLOTS}], not {list(parameters.shape)}.")
    if GROUPS > 1 and (x.dim() == 0 or x.shape[-1] % GROUPS != 0):
        raise ValueError(f"{NAME} splits the last dimension into {GROUPS} groups of equal length, but the input's last "
                         f"dimension is {'missing' if x.dim() == 0 else x.shape[-1]}; give it one divisible by {GROUPS}.")
    if ROWWISE and x.dim() == 0:
        raise ValueError(f"{NAME}: Norm normalises over the last dimension, but the input is a 0-dimensional tensor; "
                         "give it shape [..., H].")


def _expert_rows(x, offsets):
    """The offsets of x's rows grouped by expert, checked and read to the host: E + 1 ints from 0 to N, never decreasing."""
    if offsets is None:
        raise ValueError(f"{NAME} has {EXPERTS} experts: its forward takes the rows grouped by expert and the offsets "
                         f"(int64 [{EXPERTS + 1}]) of the groups.")
    if not isinstance(offsets, torch.Tensor):
        raise TypeError(f"{NAME}: the offsets must be a tensor, not {type(offsets).__name__}.")
    if x.dim() != 2:
        raise ValueError(f"{NAME} has {EXPERTS} experts, so it takes x of shape [N, H] (rows grouped by expert), but x "
                         f"has shape {list(x.shape)}.")
    if offsets.dtype != torch.int64:
        raise TypeError(f"{NAME}: the offsets must be int64, but they are {offsets.dtype}.")
    if offsets.dim() != 1 or offsets.shape[0] != EXPERTS + 1:
        raise ValueError(f"{NAME}: the offsets must have shape [{EXPERTS + 1}] (one more than the {EXPERTS} experts), but "
                         f"they have shape {list(offsets.shape)}.")
    if offsets.device != x.device:
        raise ValueError(f"{NAME}: the offsets are on {offsets.device} but x is on {x.device}; put them on x's device.")
    values = offsets.tolist()
    if values[0] != 0:
        raise ValueError(f"{NAME}: the offsets must start at 0, but offsets[0] is {values[0]}.")
    for e in range(EXPERTS):
        if values[e + 1] < values[e]:
            raise ValueError(f"{NAME}: the offsets must not decrease, but offsets[{e + 1}] = {values[e + 1]} is less than "
                             f"offsets[{e}] = {values[e]}.")
    if values[-1] != x.shape[0]:
        raise ValueError(f"{NAME}: the offsets must end at x's {x.shape[0]} rows, but offsets[{EXPERTS}] is {values[-1]}.")
    return values


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


# What a launch needs that does not change between calls, looked up once: the loaded functions by (device, role,
# dtype), the multiprocessor counts by device, the backward's block counters by (device, stream), and each role's
# argument conversions (from PARAMETERS' launch types).
_functions = {}
_multiprocessors = {}
_counters = {}
_conversions = {}


def _function(device_index, role, dtype):
    key = (device_index, role, dtype)
    function = _functions.get(key)
    if function is None:
        module = _modules.get(device_index)
        if module is None:
            with _cupy.cuda.Device(device_index):
                module = _cupy.RawModule(code=CUDA_SOURCE, options=("--std=c++17",))
            _modules[device_index] = module
        function = _functions[key] = module.get_function(ENTRY_POINTS[dtype][role])
    return function


def _row_threads(h, element_size):
    """Threads of a rowwise kernel's block, as KernelContract.RowThreads: each holds ROW_CHUNKS_PER_THREAD chunks."""
    chunks = (h * element_size + CHUNK_BYTES - 1) // CHUNK_BYTES
    threads = (chunks + ROW_CHUNKS_PER_THREAD - 1) // ROW_CHUNKS_PER_THREAD
    return min(MAX_ROW_THREADS, max(MIN_ROW_THREADS, (threads + 31) // 32 * 32))


def _geometry(rows, h, element_size, device_index):
    """Blocks, threads per block and partial rows, as the C# runtime's LaunchGeometry: depends on the shape, the element
    size and the device alone, so the gradients are the same on every run."""
    if rows == 0 or h == 0:
        return 0, THREADS_PER_BLOCK, 0
    multiprocessors = _multiprocessors.get(device_index)
    if multiprocessors is None:
        multiprocessors = _multiprocessors[device_index] = torch.cuda.get_device_properties(device_index).multi_processor_count
    if ROWWISE:
        threads = _row_threads(h, element_size)
        blocks = min(rows, multiprocessors * (THREADS_PER_MULTIPROCESSOR // threads))
        return blocks, threads, blocks
    cap = multiprocessors * BLOCKS_PER_MULTIPROCESSOR
    per_chunk = CHUNK_BYTES // element_size
    chunks = (rows * (h // GROUPS) + per_chunk - 1) // per_chunk
    needed = (chunks + THREADS_PER_BLOCK - 1) // THREADS_PER_BLOCK
    grid = max(1, min(needed, max(1, cap // GROUPS)))
    return grid * GROUPS, THREADS_PER_BLOCK, grid


def _counter(device, stream):
    """A zeroed 32-bit word in which a backward on this stream counts its finished blocks; the last block zeroes it
    again, and launches on one stream run one after another, so one word serves them all."""
    key = (device.index, stream)
    counter = _counters.get(key)
    if counter is None:
        counter = _counters[key] = torch.zeros(1, dtype=torch.int32, device=device)
    return counter


def _conversions_of(role):
    conversions = _conversions.get(role)
    if conversions is None:
        import numpy

        def pointer(tensor):
            return numpy.uint64(0 if tensor is None else tensor.data_ptr())

        by_type = {"i32": numpy.int32, "u64": numpy.uint64, "ptr": pointer}
        conversions = _conversions[role] = tuple((name, by_type[launch_type]) for name, launch_type in PARAMETERS[role])
    return conversions


def _launch(role, dtype, device_index, blocks, values, threads=THREADS_PER_BLOCK, stream=None, grid_rows=1):
    """One launch of a grid of blocks x grid_rows blocks (a row of blocks per expert for kernels with experts)."""
    arguments = tuple(convert(values[name]) for name, convert in _conversions_of(role))
    if stream is None:
        stream = torch.cuda.current_stream(device_index).cuda_stream
    with _cupy.cuda.Device(device_index), _cupy.cuda.ExternalStream(stream):
        _function(device_index, role, dtype)((int(blocks), int(grid_rows)), (int(threads),), arguments)


def _rows(x):
    h = 1 if x.dim() == 0 else x.shape[-1]
    return (0 if h == 0 else x.numel() // h), h


def _launch_rows(x, offsets):
    """The rows a launch sizes its blocks for and its rows of blocks: all rows once, or with experts (offsets checked by
    _expert_rows) the busiest expert's rows once per expert, as the C# runtime's KernelContract.ExpertGrid."""
    rows, h = _rows(x)
    if offsets is None:
        return rows, h, 1
    counts = (offsets[1:] - offsets[:-1]).tolist()
    return max(counts), h, EXPERTS


def fused_forward(x, gate, parameters, group=None, offsets=None):
    """y from the fused forward kernel, for checked CUDA tensors of a supported dtype: one launch (with experts, a row
    of blocks per expert, each on its rows with its parameter vector). With a process group, x is this rank's shard of
    rows split over the group: the split kernels compute y from the whole rows' statistics."""
    x, parameters = x.contiguous(), parameters.contiguous()
    gate = None if gate is None else gate.contiguous()
    offsets = None if offsets is None else offsets.contiguous()
    rows, h = _rows(x)
    y = torch.empty_like(x)
    busiest, _, grid_rows = _launch_rows(x, offsets)
    blocks, threads, partial_rows = _geometry(busiest, h, x.element_size(), x.device.index)
    values = {"x": x, "gate": gate, "y": y, "parameters": parameters, "rows": rows, "h": h, "threads": threads, "offsets": offsets}
    if group is not None:
        _split(SPLIT)["forward"](values, blocks, group)
        if blocks > 0:
            _launch("forward_apply", x.dtype, x.device.index, blocks, values, threads)
    elif blocks > 0:
        _launch("forward", x.dtype, x.device.index, blocks, values, threads, grid_rows=grid_rows)
    return y


def fused_backward(x, gate, dy, parameters, group=None, offsets=None):
    """(dx, dparameters, dgate) from the fused backward kernel, one launch whose last block reduces the partials; dgate
    is an empty tensor for an activation that is not gated. With a process group (x, dy and the gate this rank's shards
    of rows split over it), the split kernels, whose partials are all-reduced before the reduction kernel, and
    dparameters is the whole gradient, the same on every rank."""
    x, dy, parameters = x.contiguous(), dy.contiguous(), parameters.contiguous()
    gate = None if gate is None else gate.contiguous()
    offsets = None if offsets is None else offsets.contiguous()
    rows, h = _rows(x)
    dx = torch.empty_like(x)
    dgate = torch.empty_like(x) if gate is not None else x.new_empty(0)
    busiest, _, grid_rows = _launch_rows(x, offsets)
    blocks, threads, partial_rows = _geometry(busiest, h, x.element_size(), x.device.index)
    vectors = grid_rows * SLOTS  # with experts, every expert's gradient vector (zero for one without rows)
    dparameters = torch.zeros(vectors, dtype=x.dtype, device=x.device) if blocks == 0 else torch.empty(vectors, dtype=x.dtype, device=x.device)
    partials = torch.empty(partial_rows * grid_rows, SLOTS, dtype=torch.float32, device=x.device)
    values = {"x": x, "gate": gate, "dy": dy, "dx": dx, "dgate": dgate if gate is not None else None, "parameters": parameters,
              "partials": partials, "rows": rows, "h": h, "count": partial_rows, "dparameters": dparameters, "threads": threads,
              "offsets": offsets}
    if group is None:
        if blocks > 0:
            stream = torch.cuda.current_stream(x.device.index).cuda_stream
            values["counter"] = _counter(x.device, stream)
            _launch("backward", x.dtype, x.device.index, blocks, values, threads, stream, grid_rows)
        return dx, dparameters, dgate
    _split(SPLIT)["backward"](values, blocks, group)
    if blocks > 0:
        _launch("backward_apply", x.dtype, x.device.index, blocks, values, threads)
    if any(SPLIT["local_partials"]):
        # Partials from all-reduced totals are the whole row's on every rank; the others are sums over this rank's
        # shard alone: add them over the group, in float32, before the reduction.
        local = [k for k, alone in enumerate(SPLIT["local_partials"]) if alone]
        partials[:, local] = _all_reduced(partials[:, local], group)
    if blocks > 0 and SLOTS > 0:
        _launch("reduce", x.dtype, x.device.index, SLOTS, values)  # one block per column, THREADS_PER_BLOCK threads
    return dx, dparameters, dgate


# ---- The collective steps of the split kernels' stages, which each module's generated stages call (SPLIT) ----

def _split(split):
    if split is None:
        raise ValueError(f"{NAME} has no split kernels: its rows need no statistics.")
    return split


def polycom_statistics_rows(values, columns, group):
    """The float32 statistics of every row, zeroed; the launches' whole row length is h times the group's size."""
    x = values["x"]
    statistics = torch.zeros(values["rows"], columns, dtype=torch.float32, device=x.device)
    values.update(statistics=statistics, length=values["h"] * torch.distributed.get_world_size(group))
    return statistics


def polycom_run_stage(direction, stage, rescaled, values, blocks):
    """One launch of a statistics kernel: stage `stage`, with the scales of the all-reduced statistics when `rescaled`."""
    if blocks > 0:
        values.update(stage=stage, rescaled=rescaled)
        _launch(direction + "_statistics", values["x"].dtype, values["x"].device.index, blocks, values, values["threads"])


def polycom_all_reduce_columns(statistics, first, end, group, op):
    """Columns first..end-1 of every row's statistics all-reduced over the group by `op`."""
    statistics[:, first:end] = _all_reduced(statistics[:, first:end], group, op)


def polycom_within_limit(statistics, columns):
    """Whether every statistic of these columns is within the limit, so that no rerun with scales is needed."""
    return bool((statistics[:, list(columns)] <= NORM_STATISTIC_LIMIT).all())


class _FusedFunction(torch.autograd.Function):
    """The fused kernels under autograd (PyTorch without torch.library.custom_op); saves x (and the gate) only."""

    @staticmethod
    def forward(ctx, x, gate, parameters, offsets=None):
        ctx.save_for_backward(x, gate, parameters, offsets)
        return fused_forward(x, gate, parameters, offsets=offsets)

    @staticmethod
    def backward(ctx, dy):
        x, gate, parameters, offsets = ctx.saved_tensors
        dx, dparameters, dgate = fused_backward(x, gate, dy, parameters, offsets=offsets)
        return dx, (dgate if gate is not None else None), dparameters, None


class _ShardedFunction(torch.autograd.Function):
    """The split kernels under autograd, for rows sharded over a process group: an autograd.Function, as a process
    group is no custom-op argument. Its parameters' gradient is already summed over the group."""

    @staticmethod
    def forward(ctx, x, gate, parameters, group):
        ctx.save_for_backward(x, gate, parameters)
        ctx.group = group
        return fused_forward(x, gate, parameters, group)

    @staticmethod
    def backward(ctx, dy):
        x, gate, parameters = ctx.saved_tensors
        dx, dparameters, dgate = fused_backward(x, gate, dy, parameters, ctx.group)
        return dx, (dgate if gate is not None else None), dparameters, None


_fused = _FusedFunction.apply
if hasattr(torch, "library") and hasattr(torch.library, "custom_op"):
    # PyTorch 2.4 and later: one opaque op for torch.compile, with its autograd and its shapes.
    try:
        _forward_op_name = f"polycomgen::{NAME.lower()}_forward"
        _backward_op_name = f"polycomgen::{NAME.lower()}_backward"

        @torch.library.custom_op(_forward_op_name, mutates_args=())
        def _forward_op(x: torch.Tensor, gate: Optional[torch.Tensor], parameters: torch.Tensor,
                        offsets: Optional[torch.Tensor] = None) -> torch.Tensor:
            return fused_forward(x, gate, parameters, offsets=offsets)

        @_forward_op.register_fake
        def _(x, gate, parameters, offsets=None):
            return torch.empty_like(x)

        @torch.library.custom_op(_backward_op_name, mutates_args=())
        def _backward_op(x: torch.Tensor, gate: Optional[torch.Tensor], dy: torch.Tensor, parameters: torch.Tensor,
                         offsets: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            return fused_backward(x, gate, dy, parameters, offsets=offsets)

        @_backward_op.register_fake
        def _(x, gate, dy, parameters, offsets=None):
            return (torch.empty_like(x), parameters.new_empty(parameters.shape),
                    torch.empty_like(x) if gate is not None else x.new_empty(0))

        def _setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        def _backward(ctx, dy):
            x, gate, parameters, offsets = ctx.saved_tensors
            dx, dparameters, dgate = _backward_op(x, gate, dy, parameters, offsets)
            return dx, (dgate if gate is not None else None), dparameters, None

        _forward_op.register_autograd(_backward, setup_context=_setup_context)
        _fused = _forward_op
    except Exception as error:  # an op of this name already registered, or an older custom_op API
        warnings.warn(f"{NAME}: not registered as a custom op ({error}); the fused kernels run as an autograd.Function.", RuntimeWarning)


# ---- The module ----

class PolyComModule(torch.nn.Module):
    """The activation, with the parameters of LEARNABLE (name, length, initial value), in float32, as the C# module.

    forward(x) (or forward(x, gate) when gated) runs the fused CUDA kernels on CUDA tensors of float32, bfloat16 or
    float16 where CuPy is installed; otherwise the same formula as eager torch ops, which autograd differentiates.

    Tensor parallelism: with process_group, a group of P ranks over which the last dimension is sharded (Megatron's
    column-parallel projection before the activation), forward takes this rank's shard [..., H/P] of rows of length H
    and returns its shard of the activation of the whole rows: a norm's row statistics are all-reduced over the group,
    in the forward and the backward, by the split CUDA kernels or the eager formula. The parameters are replicated on
    every rank, and their gradient is summed over the group, so every rank holds the same whole gradient (a
    data-parallel wrapper over another group then works as usual). Elementwise activations need no communication
    for y and dx: with a group they compute them exactly as without; only their parameters' gradient is summed.
    """

    def __init__(self, *, process_group=None):
        super().__init__()
        if process_group is not None and GROUPS > 1:
            raise ValueError(f"{NAME} splits each row into {GROUPS} groups of columns with their own parameters; sharding "
                             "its rows over a process group is not supported: construct it without process_group.")
        if process_group is not None and EXPERTS > 1:
            raise ValueError(f"{NAME} has {EXPERTS} experts; sharding its rows over a process group is not supported: "
                             "construct it without process_group.")
        self.process_group = process_group
        for name, length, initial, per_group in LEARNABLE:
            shape = (length,) if GROUPS == 1 or not per_group else ((GROUPS,) if length == 1 else (GROUPS, length))
            if EXPERTS > 1:  # a leading dimension of EXPERTS: [E] for a single value, [E, ...] otherwise
                shape = (EXPERTS,) if shape == (1,) else (EXPERTS,) + shape
            self.register_parameter(name, torch.nn.Parameter(torch.full(shape, initial, dtype=torch.float32)))

    spec = None  # set below: the attribute text
    formula = None

    def kernel_parameters(self, x=None):
        """Every parameter in one vector, in the kernels' slot order (an empty one of x's dtype when there are none)."""
        if not LEARNABLE:
            return torch.empty(0, dtype=torch.float32 if x is None else x.dtype, device=None if x is None else x.device)
        if EXPERTS > 1:
            # Each expert's [GROUPS, slots] side by side, expert after expert.
            parts = [getattr(self, name).reshape(EXPERTS, GROUPS, -1) if per_group
                     else getattr(self, name).reshape(EXPERTS, 1, 1).expand(EXPERTS, GROUPS, 1) for name, _, _, per_group in LEARNABLE]
            return torch.cat(parts, 2).reshape(-1)
        if GROUPS > 1:
            # Each group's slots side by side, a shared parameter repeated in every group, then flattened.
            parts = [getattr(self, name).reshape(GROUPS, -1) if per_group else getattr(self, name).reshape(1, 1).expand(GROUPS, 1)
                     for name, _, _, per_group in LEARNABLE]
            return torch.cat(parts, 1).reshape(-1)
        parts = [getattr(self, name) for name, _, _, _ in LEARNABLE]
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    def forward(self, x, gate=None, offsets=None):
        parameters = self.kernel_parameters(x)
        if EXPERTS > 1:
            rows = _expert_rows(x, offsets)
            return self._one(x, gate, parameters, offsets, rows)
        if offsets is not None:
            raise ValueError(f"{NAME} has no experts, so it takes no offsets.")
        return self._one(x, gate, parameters)

    def _one(self, x, gate, parameters, offsets=None, rows=None):
        _check(x, gate, parameters)
        group = self.process_group
        if group is not None and not ROWWISE:
            # An elementwise activation of a shard is the shard of the activation: only the gradient of the parameters,
            # which each rank has from its shard alone, is summed over the group.
            parameters, group = _ReplicatedOverGroup.apply(parameters, group), None
        fused = False
        if x.is_cuda and x.dtype in ENTRY_POINTS:
            fused = cuda_available()
            if not fused:
                _say_once(f"CuPy is not available ({_cupy_error}); CUDA tensors run the eager formula, not the fused kernels.")
        elif not x.is_cuda:
            _say_once("CPU tensors run the eager formula (the fused kernels are for CUDA tensors).")
        if group is not None:
            if fused:
                return _ShardedFunction.apply(x, gate, parameters, group)
            return eager_forward(x, gate, _ReplicatedOverGroup.apply(parameters, group), group)
        if offsets is not None and not fused:
            # Expert by expert, as eager ops: its rows with its parameter vector.
            return torch.cat([eager_forward(x[rows[e]:rows[e + 1]], None if gate is None else gate[rows[e]:rows[e + 1]],
                                            parameters[e * SLOTS:(e + 1) * SLOTS]) for e in range(EXPERTS)], 0)
        # The offsets always passed, None without experts, so that the saved inputs are the same four on every path: one
        # launch per direction, with experts a row of blocks per expert.
        return _fused(x, gate, parameters, offsets) if fused else eager_forward(x, gate, parameters)

    def extra_repr(self):
        return self.spec
