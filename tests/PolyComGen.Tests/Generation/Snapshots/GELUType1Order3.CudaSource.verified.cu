// PolyComGen CUDA kernels for [PolyCom(Order = 3, Inner = "GELU", Type = 1)] on GELUType1Order3:
// y = sum_{i=1..3} w[i-1] * rho(x)^i + b, rho = GELU.
// Self-contained (no include directives); float32, bfloat16 and float16 storage; float32 arithmetic and accumulation.

#define PCG_GROUPS 1
#define PCG_SLOTS 4
#define PCG_PARAMETERS (PCG_GROUPS * PCG_SLOTS)
#define PCG_BLOCK 256
#define PCG_ROW_BLOCK 1024
#define PCG_ROW_CHUNKS 4
#define PCG_STATISTIC_LIMIT 1.8446744073709552E+19f

// The fixed part of every PolyComGen translation unit: storage types, conversions, math helpers, the chunked
// element loop and the deterministic block reductions. Self-contained (NVRTC may come without toolkit headers);
// PCG_PARAMETERS, PCG_GROUPS, PCG_SLOTS, PCG_BLOCK, PCG_ROW_BLOCK, PCG_ROW_CHUNKS and PCG_STATISTIC_LIMIT are defined
// before it.
typedef unsigned long long pcg_size;

struct pcg_bf16 { unsigned short bits; };
struct pcg_f16 { unsigned short bits; };

#if !defined(__CUDA_ARCH__)
// Outside NVRTC (the emulated device compiles this unit for the CPU) there is no PTX: float16 is converted in
// software, rounding to nearest even exactly as cvt.rn.f16.f32 does.
__device__ __forceinline__ float pcg_half_to_float(unsigned short h)
{
    unsigned int sign = (unsigned int)(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu, bits;
    if (exponent == 0x1fu) bits = sign | 0x7f800000u | (mantissa << 13);
    else if (exponent != 0) bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    else if (mantissa == 0) bits = sign;
    else
    {
        int shift = -1;
        do { mantissa <<= 1; shift++; } while (!(mantissa & 0x400u));
        bits = sign | ((unsigned int)(112 - shift) << 23) | ((mantissa & 0x3ffu) << 13);
    }
    return __uint_as_float(bits);
}

__device__ __forceinline__ unsigned short pcg_float_to_half(float f)
{
    unsigned int x = __float_as_uint(f), sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return (unsigned short)(sign | 0x7e00u); // NaN stays a (quiet) NaN
    if (a >= 0x477ff000u) return (unsigned short)(sign | 0x7c00u);
    if (a < 0x38800000u)
    {
        if (a <= 0x33000000u) return (unsigned short)sign;
        unsigned int shift = 126u - (a >> 23), m = (a & 0x7fffffu) | 0x800000u;
        unsigned int r = m >> shift, rest = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
        if (rest > half || (rest == half && (r & 1u))) r++;
        return (unsigned short)(sign | r);
    }
    a += 0xc8000fffu + ((a >> 13) & 1u);
    return (unsigned short)(sign | (a >> 13));
}
#endif

__device__ __forceinline__ float pcg_to_float(float v) { return v; }
__device__ __forceinline__ float pcg_to_float(pcg_bf16 v) { return __uint_as_float(((unsigned int)v.bits) << 16); }
__device__ __forceinline__ float pcg_to_float(pcg_f16 v)
{
#if defined(__CUDA_ARCH__)
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v.bits));
    return f;
#else
    return pcg_half_to_float(v.bits);
#endif
}

template <typename T> __device__ __forceinline__ T pcg_from_float(float v);
template <> __device__ __forceinline__ float pcg_from_float<float>(float v) { return v; }
// Round to nearest even; NaN stays a (quiet) NaN.
template <> __device__ __forceinline__ pcg_bf16 pcg_from_float<pcg_bf16>(float v)
{
    unsigned int u = __float_as_uint(v);
    pcg_bf16 r;
    if ((u & 0x7fffffffu) > 0x7f800000u)
    {
        r.bits = (unsigned short)((u >> 16) | 0x40u);
        return r;
    }
    u += 0x7fffu + ((u >> 16) & 1u);
    r.bits = (unsigned short)(u >> 16);
    return r;
}
template <> __device__ __forceinline__ pcg_f16 pcg_from_float<pcg_f16>(float v)
{
    pcg_f16 r;
#if defined(__CUDA_ARCH__)
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(r.bits) : "f"(v));
#else
    r.bits = pcg_float_to_half(v);
#endif
    return r;
}

// The operations of the expression language that CUDA does not spell itself (docs/math.md, section 6).
__device__ __forceinline__ float pcg_relu(float u) { return u != u ? u : fmaxf(u, 0.0f); }
__device__ __forceinline__ float pcg_max(float a, float b) { return a != a ? a : b != b ? b : fmaxf(a, b); }
__device__ __forceinline__ float pcg_min(float a, float b) { return a != a ? a : b != b ? b : fminf(a, b); }
__device__ __forceinline__ float pcg_step(float u) { return u > 0.0f ? 1.0f : 0.0f; }
__device__ __forceinline__ float pcg_sign(float u) { return (u > 0.0f ? 1.0f : 0.0f) - (u < 0.0f ? 1.0f : 0.0f); }
__device__ __forceinline__ float pcg_heaviside(float u) { return u > 0.0f ? 1.0f : u == 0.0f ? 0.5f : 0.0f; }
__device__ __forceinline__ float pcg_sigmoid(float u) { return 1.0f / (1.0f + expf(-u)); }
__device__ __forceinline__ float pcg_softplus(float u) { return fmaxf(u, 0.0f) + log1pf(expf(-fabsf(u))); }
// The power of two that brings a row's largest magnitude m into [1/2, 1); 1 when m is at most 1 or not finite.
__device__ __forceinline__ float pcg_norm_scale(float m)
{
    if (!(m > 1.0f) || m == __uint_as_float(0x7f800000u)) return 1.0f;
    int exponent;
    frexpf(m, &exponent);
    return ldexpf(1.0f, -exponent);
}
// The scale a norm statistic q computed unscaled needs: 1 when it is at most PCG_STATISTIC_LIMIT, else (and for NaN)
// pcg_norm_scale of the row's largest magnitude.
__device__ __forceinline__ float pcg_rescale(float m, float q) { return q <= PCG_STATISTIC_LIMIT ? 1.0f : pcg_norm_scale(m); }

// 16 bytes of storage: 4 floats or 8 halves, moved with one vector load or store.
template <typename T> struct pcg_chunk
{
    static constexpr int size = 16 / sizeof(T);
    union { uint4 raw; T e[16 / sizeof(T)]; };
};

__device__ __forceinline__ bool pcg_aligned16(const void* p) { return (reinterpret_cast<pcg_size>(p) & 15) == 0; }

// For every i in [0, n) that belongs to thread t of nt: reads in[0..NI)[i] as floats, calls f(values, results) and
// writes results[0..NO) to out[..][i], in 16-byte chunks when every pointer is 16-byte aligned, then one by one.
// Which thread handles which element, and in which order, depends on n, t and nt alone: sums built in f are
// deterministic.
template <typename T, int NI, int NO, typename F>
__device__ __forceinline__ void pcg_map(const T* const* in, T* const* out, pcg_size n, pcg_size t, pcg_size nt, F f)
{
    constexpr int V = pcg_chunk<T>::size;
    bool vectorised = true;
#pragma unroll
    for (int a = 0; a < NI; a++) vectorised = vectorised && pcg_aligned16(in[a]);
#pragma unroll
    for (int a = 0; a < NO; a++) vectorised = vectorised && pcg_aligned16(out[a]);
    pcg_size done = 0;
    if (vectorised)
    {
        const pcg_size chunks = n / V;
        for (pcg_size c = t; c < chunks; c += nt)
        {
            pcg_chunk<T> ci[NI], co[NO > 0 ? NO : 1];
#pragma unroll
            for (int a = 0; a < NI; a++) ci[a].raw = reinterpret_cast<const uint4*>(in[a])[c];
#pragma unroll
            for (int e = 0; e < V; e++)
            {
                float v[NI], r[NO > 0 ? NO : 1];
#pragma unroll
                for (int a = 0; a < NI; a++) v[a] = pcg_to_float(ci[a].e[e]);
                f(v, r);
#pragma unroll
                for (int a = 0; a < NO; a++) co[a].e[e] = pcg_from_float<T>(r[a]);
            }
#pragma unroll
            for (int a = 0; a < NO; a++) reinterpret_cast<uint4*>(out[a])[c] = co[a].raw;
        }
        done = chunks * V;
    }
    for (pcg_size i = done + t; i < n; i += nt)
    {
        float v[NI], r[NO > 0 ? NO : 1];
#pragma unroll
        for (int a = 0; a < NI; a++) v[a] = pcg_to_float(in[a][i]);
        f(v, r);
#pragma unroll
        for (int a = 0; a < NO; a++) out[a][i] = pcg_from_float<T>(r[a]);
    }
}

// pcg_map over one group of columns: of rows of h elements split into groups of L, group g's element i is row i / L,
// column g * L + i % L, for every i in [0, rows * L) that belongs to thread t of nt. In 16-byte chunks when h and L are
// whole chunks and every pointer is 16-byte aligned (a chunk then never leaves its row), then one by one. Which thread
// handles which element depends on the shape, g, t and nt alone: sums built in f are deterministic.
template <typename T, int NI, int NO, typename F>
__device__ __forceinline__ void pcg_map_grouped(const T* const* in, T* const* out, pcg_size rows, int h, int L, int g, pcg_size t, pcg_size nt, F f)
{
    constexpr int V = pcg_chunk<T>::size;
    bool vectorised = h % V == 0 && L % V == 0;
#pragma unroll
    for (int a = 0; a < NI; a++) vectorised = vectorised && pcg_aligned16(in[a]);
#pragma unroll
    for (int a = 0; a < NO; a++) vectorised = vectorised && pcg_aligned16(out[a]);
    const pcg_size column = (pcg_size)g * L;
    if (vectorised)
    {
        const pcg_size per_row = (pcg_size)(L / V), chunks = rows * per_row;
        for (pcg_size c = t; c < chunks; c += nt)
        {
            const pcg_size at = (c / per_row) * h + column + (c % per_row) * V;
            pcg_chunk<T> ci[NI], co[NO > 0 ? NO : 1];
#pragma unroll
            for (int a = 0; a < NI; a++) ci[a].raw = *reinterpret_cast<const uint4*>(in[a] + at);
#pragma unroll
            for (int e = 0; e < V; e++)
            {
                float v[NI], r[NO > 0 ? NO : 1];
#pragma unroll
                for (int a = 0; a < NI; a++) v[a] = pcg_to_float(ci[a].e[e]);
                f(v, r);
#pragma unroll
                for (int a = 0; a < NO; a++) co[a].e[e] = pcg_from_float<T>(r[a]);
            }
#pragma unroll
            for (int a = 0; a < NO; a++) *reinterpret_cast<uint4*>(out[a] + at) = co[a].raw;
        }
        return;
    }
    const pcg_size n = rows * (pcg_size)L;
    for (pcg_size i = t; i < n; i += nt)
    {
        const pcg_size at = (i / L) * h + column + i % L;
        float v[NI], r[NO > 0 ? NO : 1];
#pragma unroll
        for (int a = 0; a < NI; a++) v[a] = pcg_to_float(in[a][at]);
        f(v, r);
#pragma unroll
        for (int a = 0; a < NO; a++) out[a][at] = pcg_from_float<T>(r[a]);
    }
}

// The chunks of a row that a thread of a rowwise kernel keeps on chip from its first pass to its last: chunk k of
// thread t is chunk t + k * blockDim.x of the row, for each of the kernel's NI inputs. Indexed by constants only
// (the loops over k are unrolled), so it lives in registers.
template <typename T, int NI> struct pcg_row_cache
{
    pcg_chunk<T> c[PCG_ROW_CHUNKS][NI];
};

// One pass of a rowwise kernel over elements [lo, hi) of a row: for each element, reads the inputs the pass USES (a
// bit per input of in[0..NI)) as floats, calls f(values, results) and writes results[0..NO) to out[..]. in and out
// point at the row. In 16-byte chunks when every pointer is 16-byte aligned and lo and hi are whole chunks: a thread's
// first PCG_ROW_CHUNKS chunks come from the cache, which the first pass of the row fills (loaded false) with every
// input, used or not, so each is read from global memory once; chunks beyond them are read in every pass. Otherwise
// element by element, from global memory. Which thread handles which element, and in which order, depends on the
// shape, lo, hi and blockDim alone: sums built in f are deterministic.
template <typename T, int NI, int NO, unsigned USED, typename F>
__device__ __forceinline__ void pcg_map_row(const T* const* in, T* const* out, pcg_row_cache<T, NI>& cache, bool loaded, int lo, int hi, F f)
{
    constexpr int V = pcg_chunk<T>::size;
    const int t = threadIdx.x, nt = blockDim.x;
    bool vectorised = lo % V == 0 && hi % V == 0;
#pragma unroll
    for (int a = 0; a < NI; a++) vectorised = vectorised && pcg_aligned16(in[a]);
#pragma unroll
    for (int a = 0; a < NO; a++) vectorised = vectorised && pcg_aligned16(out[a]);
    if (!vectorised)
    {
        for (int i = lo + t; i < hi; i += nt)
        {
            float v[NI], r[NO > 0 ? NO : 1];
#pragma unroll
            for (int a = 0; a < NI; a++) v[a] = (USED >> a & 1u) ? pcg_to_float(in[a][i]) : 0.0f;
            f(v, r);
#pragma unroll
            for (int a = 0; a < NO; a++) out[a][i] = pcg_from_float<T>(r[a]);
        }
        return;
    }
    const int first = lo / V, last = hi / V;
#pragma unroll
    for (int k = 0; k < PCG_ROW_CHUNKS; k++)
    {
        const int c = t + k * nt;
        if (c < first || c >= last) continue;
        if (!loaded)
        {
#pragma unroll
            for (int a = 0; a < NI; a++) cache.c[k][a].raw = reinterpret_cast<const uint4*>(in[a])[c];
        }
        pcg_chunk<T> co[NO > 0 ? NO : 1];
#pragma unroll
        for (int e = 0; e < V; e++)
        {
            float v[NI], r[NO > 0 ? NO : 1];
#pragma unroll
            for (int a = 0; a < NI; a++) v[a] = (USED >> a & 1u) ? pcg_to_float(cache.c[k][a].e[e]) : 0.0f;
            f(v, r);
#pragma unroll
            for (int a = 0; a < NO; a++) co[a].e[e] = pcg_from_float<T>(r[a]);
        }
#pragma unroll
        for (int a = 0; a < NO; a++) reinterpret_cast<uint4*>(out[a])[c] = co[a].raw;
    }
    // The chunks no thread keeps: from the first of this thread's at or after both the cache's end and lo.
    int c = t + PCG_ROW_CHUNKS * nt;
    if (c < first) c += (first - c + nt - 1) / nt * nt;
    for (; c < last; c += nt)
    {
        pcg_chunk<T> ci[NI], co[NO > 0 ? NO : 1];
#pragma unroll
        for (int a = 0; a < NI; a++) if (USED >> a & 1u) ci[a].raw = reinterpret_cast<const uint4*>(in[a])[c];
#pragma unroll
        for (int e = 0; e < V; e++)
        {
            float v[NI], r[NO > 0 ? NO : 1];
#pragma unroll
            for (int a = 0; a < NI; a++) v[a] = (USED >> a & 1u) ? pcg_to_float(ci[a].e[e]) : 0.0f;
            f(v, r);
#pragma unroll
            for (int a = 0; a < NO; a++) co[a].e[e] = pcg_from_float<T>(r[a]);
        }
#pragma unroll
        for (int a = 0; a < NO; a++) reinterpret_cast<uint4*>(out[a])[c] = co[a].raw;
    }
}

// Sums v[0..N) over the block; every thread gets the totals. Warp shuffles then warps in index order: a fixed
// order, so the sums are the same on every run. Every thread of the block must call it.
template <int N>
__device__ __forceinline__ void pcg_block_sum(float (&v)[N])
{
    __shared__ float partial[N][32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
#pragma unroll
    for (int k = 0; k < N; k++)
    {
        for (int offset = 16; offset > 0; offset >>= 1) v[k] += __shfl_xor_sync(0xffffffffu, v[k], offset);
        if (lane == 0) partial[k][warp] = v[k];
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < N; k++)
    {
        float s = 0.0f;
        for (int w = 0; w < warps; w++) s += partial[k][w];
        v[k] = s;
    }
    __syncthreads();
}

// The largest of v[0..N) over the block, for every thread; NaNs are ignored (a row with one is NaN anyway).
template <int N>
__device__ __forceinline__ void pcg_block_max(float (&v)[N])
{
    __shared__ float partial[N][32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
#pragma unroll
    for (int k = 0; k < N; k++)
    {
        for (int offset = 16; offset > 0; offset >>= 1) v[k] = fmaxf(v[k], __shfl_xor_sync(0xffffffffu, v[k], offset));
        if (lane == 0) partial[k][warp] = v[k];
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < N; k++)
    {
        float m = 0.0f;
        for (int w = 0; w < warps; w++) m = fmaxf(m, partial[k][w]);
        v[k] = m;
    }
    __syncthreads();
}

// The end of a backward: every block has written its row of the [count, PCG_PARAMETERS] gradient partials; the last
// block to finish (counted in *counter, which it sets back to 0 for the next launch) sums each column in row order
// into dparameters, as the reduction kernel would: one launch per direction, no float atomics, the same sums on every
// run. Every thread of every block must call it.
template <typename T>
__device__ __forceinline__ void pcg_finish_gradients(const float* partials, pcg_size count, T* dparameters, unsigned int* counter)
{
    __shared__ int last[1];
    __threadfence(); // this block's partials are visible to every block before it counts itself
    __syncthreads();
    if (threadIdx.x == 0) last[0] = atomicAdd(counter, 1u) == gridDim.x * gridDim.y - 1u;
    __syncthreads();
    if (!last[0]) return;
    __threadfence();
    const volatile float* all = partials; // written by other blocks: read past any cache
    // A grid row of blocks per expert (one without experts): expert e's count partials rows follow the experts' before it.
    for (unsigned int e = 0; e < gridDim.y; e++)
    {
        for (int k = 0; k < PCG_PARAMETERS; k++)
        {
            float s[1] = {};
            for (pcg_size i = threadIdx.x; i < count; i += blockDim.x) s[0] += all[((pcg_size)e * count + i) * PCG_PARAMETERS + k];
            pcg_block_sum(s);
            if (threadIdx.x == 0) dparameters[(pcg_size)e * PCG_PARAMETERS + k] = pcg_from_float<T>(s[0]);
        }
    }
    if (threadIdx.x == 0) *counter = 0u;
}

// The forward: pass 1 writes y.
template <typename T>
__device__ __forceinline__ void pcg_forward(const T* x, const T* gate, T* y, const T* parameters, pcg_size rows, int h)
{
    const float w1 = pcg_to_float(parameters[0]);
    const float w2 = pcg_to_float(parameters[1]);
    const float w3 = pcg_to_float(parameters[2]);
    const float b = pcg_to_float(parameters[3]);
    const pcg_size t = (pcg_size)blockIdx.x * blockDim.x + threadIdx.x, nt = (pcg_size)gridDim.x * blockDim.x;
    {
        const T* in[1] = { x };
        T* out[1] = { y };
        pcg_map<T, 1, 1>(in, out, rows * h, t, nt, [&](const float* v, float* r)
        {
            const float vx = v[0];
            const float t0 = ((0.5f * vx) * (1.0f + erff((0.70710677f * vx))));
            r[0] = (b + (t0 * (w1 + (t0 * (w2 + (t0 * w3))))));
        });
    }
}

// The backward: pass 1 sums dw1, dw2, dw3, db and writes dx; then the PCG_PARAMETERS gradient partials of each block, which its last block sums.
template <typename T>
__device__ __forceinline__ void pcg_backward(const T* x, const T* gate, const T* dy, T* dx, T* dgate, const T* parameters, float* partials, T* dparameters, unsigned int* counter, pcg_size rows, int h)
{
    const float w1 = pcg_to_float(parameters[0]);
    const float w2 = pcg_to_float(parameters[1]);
    const float w3 = pcg_to_float(parameters[2]);
    const pcg_size t = (pcg_size)blockIdx.x * blockDim.x + threadIdx.x, nt = (pcg_size)gridDim.x * blockDim.x;
    const float i1_0 = (2.0f * w2);
    const float i1_1 = (3.0f * w3);
    float sums1[4] = {};
    {
        const T* in[2] = { x, dy };
        T* out[1] = { dx };
        pcg_map<T, 2, 1>(in, out, rows * h, t, nt, [&](const float* v, float* r)
        {
            const float vx = v[0];
            const float vg = v[1];
            const float t0 = (0.5f * vx);
            const float t1 = (0.70710677f * vx);
            const float t2 = (1.0f + erff(t1));
            const float t3 = (t0 * t2);
            const float t4 = (t3 * t3);
            sums1[0] += (vg * t3);
            sums1[1] += (vg * t4);
            sums1[2] += (vg * (t4 * t3));
            sums1[3] += vg;
            r[0] = (vg * ((w1 + (t3 * (i1_0 + (t3 * i1_1)))) * ((0.5f * t2) + (t0 * (0.7978846f * expf((-(t1 * t1))))))));
        });
    }
    pcg_block_sum(sums1);
    const float dw1 = sums1[0];
    const float dw2 = sums1[1];
    const float dw3 = sums1[2];
    const float db = sums1[3];
    if (threadIdx.x == 0)
    {
        partials[(pcg_size)blockIdx.x * PCG_PARAMETERS + 0] = dw1;
        partials[(pcg_size)blockIdx.x * PCG_PARAMETERS + 1] = dw2;
        partials[(pcg_size)blockIdx.x * PCG_PARAMETERS + 2] = dw3;
        partials[(pcg_size)blockIdx.x * PCG_PARAMETERS + 3] = db;
    }
    pcg_finish_gradients<T>(partials, gridDim.x, dparameters, counter);
}

// Block k sums column k of the [count, PCG_PARAMETERS] gradient partials, in row order: no atomics, so the
// parameters' gradients are the same on every run.
template <typename T>
__device__ __forceinline__ void pcg_reduce(const float* partials, pcg_size count, T* dparameters)
{
    const int k = blockIdx.x;
    float s[1] = {};
    for (pcg_size i = threadIdx.x; i < count; i += blockDim.x) s[0] += partials[i * PCG_PARAMETERS + k];
    pcg_block_sum(s);
    if (threadIdx.x == 0) dparameters[k] = pcg_from_float<T>(s[0]);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_forward_f32(const float* x, float* y, const float* parameters, pcg_size rows, int h)
{
    pcg_forward<float>(x, nullptr, y, parameters, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_backward_f32(const float* x, const float* dy, float* dx, const float* parameters, float* partials, float* dparameters, unsigned int* counter, pcg_size rows, int h)
{
    pcg_backward<float>(x, nullptr, dy, dx, nullptr, parameters, partials, dparameters, counter, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_f32(const float* partials, pcg_size count, float* dparameters)
{
    pcg_reduce<float>(partials, count, dparameters);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_forward_bf16(const pcg_bf16* x, pcg_bf16* y, const pcg_bf16* parameters, pcg_size rows, int h)
{
    pcg_forward<pcg_bf16>(x, nullptr, y, parameters, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_backward_bf16(const pcg_bf16* x, const pcg_bf16* dy, pcg_bf16* dx, const pcg_bf16* parameters, float* partials, pcg_bf16* dparameters, unsigned int* counter, pcg_size rows, int h)
{
    pcg_backward<pcg_bf16>(x, nullptr, dy, dx, nullptr, parameters, partials, dparameters, counter, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_bf16(const float* partials, pcg_size count, pcg_bf16* dparameters)
{
    pcg_reduce<pcg_bf16>(partials, count, dparameters);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_forward_f16(const pcg_f16* x, pcg_f16* y, const pcg_f16* parameters, pcg_size rows, int h)
{
    pcg_forward<pcg_f16>(x, nullptr, y, parameters, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_backward_f16(const pcg_f16* x, const pcg_f16* dy, pcg_f16* dx, const pcg_f16* parameters, float* partials, pcg_f16* dparameters, unsigned int* counter, pcg_size rows, int h)
{
    pcg_backward<pcg_f16>(x, nullptr, dy, dx, nullptr, parameters, partials, dparameters, counter, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_f16(const float* partials, pcg_size count, pcg_f16* dparameters)
{
    pcg_reduce<pcg_f16>(partials, count, dparameters);
}
