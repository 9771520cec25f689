// PolyComGen CUDA kernels for [PolyCom(Order = 3, Inner = "Norm", Type = 2, Gated = true)] on GatedPolyNorm:
// y = (sum_{i=1..3} w[i-1] * rho(x^i) + b) * gate, rho = Norm.
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

// The forward: a block per row, pass 1 sums m, q1, q2, q3, pass 2 writes y.
template <typename T>
__device__ __forceinline__ void pcg_forward(const T* x, const T* gate, T* y, const T* parameters, pcg_size rows, int h)
{
    const float w1 = pcg_to_float(parameters[0]);
    const float w2 = pcg_to_float(parameters[1]);
    const float w3 = pcg_to_float(parameters[2]);
    const float b = pcg_to_float(parameters[3]);
    const float hf = (float)h;
    for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)
    {
        pcg_row_cache<T, 2> pcg_cache;
        bool pcg_loaded = false;
        float sigma = 1.0f;
        float m, q1, q2, q3;
        for (int attempt = 0; ; attempt++)
        {
            float sums1[3] = {};
            float maxes1[1] = {};
            {
                const T* in[2] = { x + row * h, gate + row * h };
                pcg_map_row<T, 2, 0, 1u>(in, nullptr, pcg_cache, pcg_loaded, 0, h, [&](const float* v, float* r)
                {
                    const float vx = v[0];
                    const float t0 = (vx * sigma);
                    const float t1 = (t0 * t0);
                    const float t2 = ((t1 * t0) * t0);
                    maxes1[0] = fmaxf(maxes1[0], fabsf(vx));
                    sums1[0] += t1;
                    sums1[1] += t2;
                    sums1[2] += ((t2 * t0) * t0);
                    (void)r;
                });
            }
            pcg_loaded = true;
            pcg_block_sum(sums1);
            pcg_block_max(maxes1);
            m = maxes1[0];
            q1 = sums1[0];
            q2 = sums1[1];
            q3 = sums1[2];
            if (attempt > 0) break;
            const float sigma_rescaled = pcg_rescale(m, q3);
            if (sigma_rescaled == 1.0f) break;
            sigma = sigma_rescaled;
        }
        const float s1 = (1.0f / sqrtf(((q1 / hf) + (1E-06f * (sigma * sigma)))));
        const float c1 = (w1 * s1);
        const float s2 = (1.0f / sqrtf(((q2 / hf) + (1E-06f * (((sigma * sigma) * sigma) * sigma)))));
        const float c2 = (w2 * s2);
        const float s3 = (1.0f / sqrtf(((q3 / hf) + (1E-06f * (((((sigma * sigma) * sigma) * sigma) * sigma) * sigma)))));
        const float c3 = (w3 * s3);
        {
            const T* in[2] = { x + row * h, gate + row * h };
            T* out[1] = { y + row * h };
            pcg_map_row<T, 2, 1, 3u>(in, out, pcg_cache, pcg_loaded, 0, h, [&](const float* v, float* r)
            {
                const float vx = v[0];
                const float vgate = v[1];
                const float t0 = (vx * sigma);
                r[0] = ((b + (t0 * (c1 + (t0 * (c2 + (t0 * c3)))))) * vgate);
            });
        }
        pcg_loaded = true;
    }
}

// The backward: pass 1 sums m, q1, S1, q2, S2, q3, S3, G, pass 2 writes dx, dgate; then the PCG_PARAMETERS gradient partials of each block, which its last block sums.
template <typename T>
__device__ __forceinline__ void pcg_backward(const T* x, const T* gate, const T* dy, T* dx, T* dgate, const T* parameters, float* partials, T* dparameters, unsigned int* counter, pcg_size rows, int h)
{
    const float w1 = pcg_to_float(parameters[0]);
    const float w2 = pcg_to_float(parameters[1]);
    const float w3 = pcg_to_float(parameters[2]);
    const float b = pcg_to_float(parameters[3]);
    const float hf = (float)h;
    __shared__ float pcg_accumulated[PCG_PARAMETERS];
    if (threadIdx.x == 0) for (int pcg_j = 0; pcg_j < PCG_PARAMETERS; pcg_j++) pcg_accumulated[pcg_j] = 0.0f;
    for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)
    {
        pcg_row_cache<T, 3> pcg_cache;
        bool pcg_loaded = false;
        float sigma = 1.0f;
        float m, q1, S1, q2, S2, q3, S3, G;
        for (int attempt = 0; ; attempt++)
        {
            float sums1[7] = {};
            float maxes1[1] = {};
            {
                const T* in[3] = { x + row * h, dy + row * h, gate + row * h };
                pcg_map_row<T, 3, 0, 7u>(in, nullptr, pcg_cache, pcg_loaded, 0, h, [&](const float* v, float* r)
                {
                    const float vx = v[0];
                    const float vg = v[1];
                    const float vgate = v[2];
                    const float t0 = (vx * sigma);
                    const float t1 = (t0 * t0);
                    const float t2 = (vg * vgate);
                    const float t3 = (t1 * t0);
                    const float t4 = (t3 * t0);
                    maxes1[0] = fmaxf(maxes1[0], fabsf(vx));
                    sums1[0] += t1;
                    sums1[1] += (t2 * t0);
                    sums1[2] += t4;
                    sums1[3] += (t2 * t1);
                    sums1[4] += ((t4 * t0) * t0);
                    sums1[5] += (t2 * t3);
                    sums1[6] += t2;
                    (void)r;
                });
            }
            pcg_loaded = true;
            pcg_block_sum(sums1);
            pcg_block_max(maxes1);
            m = maxes1[0];
            q1 = sums1[0];
            S1 = sums1[1];
            q2 = sums1[2];
            S2 = sums1[3];
            q3 = sums1[4];
            S3 = sums1[5];
            G = sums1[6];
            if (attempt > 0) break;
            const float sigma_rescaled = pcg_rescale(m, q3);
            if (sigma_rescaled == 1.0f) break;
            sigma = sigma_rescaled;
        }
        const float s1 = (1.0f / sqrtf(((q1 / hf) + (1E-06f * (sigma * sigma)))));
        const float a1 = (w1 * s1);
        const float c1 = (((w1 * ((s1 * s1) * s1)) * S1) / hf);
        const float s2 = (1.0f / sqrtf(((q2 / hf) + (1E-06f * (((sigma * sigma) * sigma) * sigma)))));
        const float a2 = (w2 * s2);
        const float c2 = (((w2 * ((s2 * s2) * s2)) * S2) / hf);
        const float s3 = (1.0f / sqrtf(((q3 / hf) + (1E-06f * (((((sigma * sigma) * sigma) * sigma) * sigma) * sigma)))));
        const float a3 = (w3 * s3);
        const float c3 = (((w3 * ((s3 * s3) * s3)) * S3) / hf);
        const float i2_0 = (2.0f * a2);
        const float i2_1 = (3.0f * a3);
        const float i2_2 = (2.0f * c2);
        const float i2_3 = (3.0f * c3);
        {
            const T* in[3] = { x + row * h, dy + row * h, gate + row * h };
            T* out[2] = { dx + row * h, dgate + row * h };
            pcg_map_row<T, 3, 2, 7u>(in, out, pcg_cache, pcg_loaded, 0, h, [&](const float* v, float* r)
            {
                const float vx = v[0];
                const float vg = v[1];
                const float vgate = v[2];
                const float t0 = (vx * sigma);
                r[0] = ((((vg * vgate) * (a1 + (t0 * (i2_0 + (t0 * i2_1))))) - (t0 * (c1 + (t0 * (t0 * (i2_2 + (t0 * (t0 * i2_3)))))))) * sigma);
                r[1] = (vg * (b + (t0 * (a1 + (t0 * (a2 + (t0 * a3)))))));
            });
        }
        pcg_loaded = true;
        if (threadIdx.x == 0)
        {
            pcg_accumulated[0] += (s1 * S1);
            pcg_accumulated[1] += (s2 * S2);
            pcg_accumulated[2] += (s3 * S3);
            pcg_accumulated[3] += G;
        }
    }
    if (threadIdx.x == 0) for (int pcg_j = 0; pcg_j < PCG_PARAMETERS; pcg_j++) partials[(pcg_size)blockIdx.x * PCG_PARAMETERS + pcg_j] = pcg_accumulated[pcg_j];
    pcg_finish_gradients<T>(partials, gridDim.x, dparameters, counter);
}

// The forward's statistics for rows sharded over ranks: stage k runs pass k + 1 on this rank's shard and writes its
// totals to the row's 5 statistics, which are all-reduced before the next stage.
template <typename T>
__device__ __forceinline__ void pcg_forward_statistics(const T* x, const T* gate, const T* parameters, float* statistics, int stage, int rescaled, pcg_size rows, int h, int length)
{
    for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)
    {
        pcg_row_cache<T, 1> pcg_cache;
        bool pcg_loaded = false;
        float* st = statistics + row * 5;
        if (stage == 0)
        {
            float sigma = 1.0f;
            if (rescaled)
            {
                const float m = st[3];
                const float q3 = st[2];
                const float sigma_given = pcg_rescale(m, q3);
                sigma = sigma_given;
            }
            float sums1[3] = {};
            float maxes1[1] = {};
            {
                const T* in[1] = { x + row * h };
                pcg_map_row<T, 1, 0, 1u>(in, nullptr, pcg_cache, pcg_loaded, 0, h, [&](const float* v, float* r)
                {
                    const float vx = v[0];
                    const float t0 = (vx * sigma);
                    const float t1 = (t0 * t0);
                    const float t2 = ((t1 * t0) * t0);
                    maxes1[0] = fmaxf(maxes1[0], fabsf(vx));
                    sums1[0] += t1;
                    sums1[1] += t2;
                    sums1[2] += ((t2 * t0) * t0);
                    (void)r;
                });
            }
            pcg_loaded = true;
            pcg_block_sum(sums1);
            pcg_block_max(maxes1);
            const float m = maxes1[0];
            const float q1 = sums1[0];
            const float q2 = sums1[1];
            const float q3 = sums1[2];
            if (threadIdx.x == 0)
            {
                st[3] = m;
                st[0] = q1;
                st[1] = q2;
                st[2] = q3;
                st[4] = sigma;
            }
        }
    }
}

// The forward on this rank's shard of each row, from the row's all-reduced statistics.
template <typename T>
__device__ __forceinline__ void pcg_forward_apply(const T* x, const T* gate, T* y, const T* parameters, const float* statistics, pcg_size rows, int h, int length)
{
    const float w1 = pcg_to_float(parameters[0]);
    const float w2 = pcg_to_float(parameters[1]);
    const float w3 = pcg_to_float(parameters[2]);
    const float b = pcg_to_float(parameters[3]);
    const float hf = (float)length;
    for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)
    {
        pcg_row_cache<T, 2> pcg_cache;
        bool pcg_loaded = false;
        const float* st = statistics + row * 5;
        const float m = st[3];
        const float q1 = st[0];
        const float q2 = st[1];
        const float q3 = st[2];
        const float sigma = st[4];
        const float s1 = (1.0f / sqrtf(((q1 / hf) + (1E-06f * (sigma * sigma)))));
        const float c1 = (w1 * s1);
        const float s2 = (1.0f / sqrtf(((q2 / hf) + (1E-06f * (((sigma * sigma) * sigma) * sigma)))));
        const float c2 = (w2 * s2);
        const float s3 = (1.0f / sqrtf(((q3 / hf) + (1E-06f * (((((sigma * sigma) * sigma) * sigma) * sigma) * sigma)))));
        const float c3 = (w3 * s3);
        {
            const T* in[2] = { x + row * h, gate + row * h };
            T* out[1] = { y + row * h };
            pcg_map_row<T, 2, 1, 3u>(in, out, pcg_cache, pcg_loaded, 0, h, [&](const float* v, float* r)
            {
                const float vx = v[0];
                const float vgate = v[1];
                const float t0 = (vx * sigma);
                r[0] = ((b + (t0 * (c1 + (t0 * (c2 + (t0 * c3)))))) * vgate);
            });
        }
        pcg_loaded = true;
    }
}

// The backward's statistics for rows sharded over ranks: stage k runs pass k + 1 on this rank's shard and writes its
// totals to the row's 9 statistics, which are all-reduced before the next stage.
template <typename T>
__device__ __forceinline__ void pcg_backward_statistics(const T* x, const T* gate, const T* dy, const T* parameters, float* statistics, int stage, int rescaled, pcg_size rows, int h, int length)
{
    for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)
    {
        pcg_row_cache<T, 3> pcg_cache;
        bool pcg_loaded = false;
        float* st = statistics + row * 9;
        if (stage == 0)
        {
            float sigma = 1.0f;
            if (rescaled)
            {
                const float m = st[7];
                const float q3 = st[4];
                const float sigma_given = pcg_rescale(m, q3);
                sigma = sigma_given;
            }
            float sums1[7] = {};
            float maxes1[1] = {};
            {
                const T* in[3] = { x + row * h, dy + row * h, gate + row * h };
                pcg_map_row<T, 3, 0, 7u>(in, nullptr, pcg_cache, pcg_loaded, 0, h, [&](const float* v, float* r)
                {
                    const float vx = v[0];
                    const float vg = v[1];
                    const float vgate = v[2];
                    const float t0 = (vx * sigma);
                    const float t1 = (t0 * t0);
                    const float t2 = (vg * vgate);
                    const float t3 = (t1 * t0);
                    const float t4 = (t3 * t0);
                    maxes1[0] = fmaxf(maxes1[0], fabsf(vx));
                    sums1[0] += t1;
                    sums1[1] += (t2 * t0);
                    sums1[2] += t4;
                    sums1[3] += (t2 * t1);
                    sums1[4] += ((t4 * t0) * t0);
                    sums1[5] += (t2 * t3);
                    sums1[6] += t2;
                    (void)r;
                });
            }
            pcg_loaded = true;
            pcg_block_sum(sums1);
            pcg_block_max(maxes1);
            const float m = maxes1[0];
            const float q1 = sums1[0];
            const float S1 = sums1[1];
            const float q2 = sums1[2];
            const float S2 = sums1[3];
            const float q3 = sums1[4];
            const float S3 = sums1[5];
            const float G = sums1[6];
            if (threadIdx.x == 0)
            {
                st[7] = m;
                st[0] = q1;
                st[1] = S1;
                st[2] = q2;
                st[3] = S2;
                st[4] = q3;
                st[5] = S3;
                st[6] = G;
                st[8] = sigma;
            }
        }
    }
}

// The backward on this rank's shard of each row, from the row's all-reduced statistics.
template <typename T>
__device__ __forceinline__ void pcg_backward_apply(const T* x, const T* gate, const T* dy, T* dx, T* dgate, const T* parameters, const float* statistics, float* partials, pcg_size rows, int h, int length)
{
    const float w1 = pcg_to_float(parameters[0]);
    const float w2 = pcg_to_float(parameters[1]);
    const float w3 = pcg_to_float(parameters[2]);
    const float b = pcg_to_float(parameters[3]);
    const float hf = (float)length;
    __shared__ float pcg_accumulated[PCG_PARAMETERS];
    if (threadIdx.x == 0) for (int pcg_j = 0; pcg_j < PCG_PARAMETERS; pcg_j++) pcg_accumulated[pcg_j] = 0.0f;
    for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)
    {
        pcg_row_cache<T, 3> pcg_cache;
        bool pcg_loaded = false;
        const float* st = statistics + row * 9;
        const float m = st[7];
        const float q1 = st[0];
        const float S1 = st[1];
        const float q2 = st[2];
        const float S2 = st[3];
        const float q3 = st[4];
        const float S3 = st[5];
        const float G = st[6];
        const float sigma = st[8];
        const float s1 = (1.0f / sqrtf(((q1 / hf) + (1E-06f * (sigma * sigma)))));
        const float a1 = (w1 * s1);
        const float c1 = (((w1 * ((s1 * s1) * s1)) * S1) / hf);
        const float s2 = (1.0f / sqrtf(((q2 / hf) + (1E-06f * (((sigma * sigma) * sigma) * sigma)))));
        const float a2 = (w2 * s2);
        const float c2 = (((w2 * ((s2 * s2) * s2)) * S2) / hf);
        const float s3 = (1.0f / sqrtf(((q3 / hf) + (1E-06f * (((((sigma * sigma) * sigma) * sigma) * sigma) * sigma)))));
        const float a3 = (w3 * s3);
        const float c3 = (((w3 * ((s3 * s3) * s3)) * S3) / hf);
        const float i2_0 = (2.0f * a2);
        const float i2_1 = (3.0f * a3);
        const float i2_2 = (2.0f * c2);
        const float i2_3 = (3.0f * c3);
        {
            const T* in[3] = { x + row * h, dy + row * h, gate + row * h };
            T* out[2] = { dx + row * h, dgate + row * h };
            pcg_map_row<T, 3, 2, 7u>(in, out, pcg_cache, pcg_loaded, 0, h, [&](const float* v, float* r)
            {
                const float vx = v[0];
                const float vg = v[1];
                const float vgate = v[2];
                const float t0 = (vx * sigma);
                r[0] = ((((vg * vgate) * (a1 + (t0 * (i2_0 + (t0 * i2_1))))) - (t0 * (c1 + (t0 * (t0 * (i2_2 + (t0 * (t0 * i2_3)))))))) * sigma);
                r[1] = (vg * (b + (t0 * (a1 + (t0 * (a2 + (t0 * a3)))))));
            });
        }
        pcg_loaded = true;
        if (threadIdx.x == 0)
        {
            pcg_accumulated[0] += (s1 * S1);
            pcg_accumulated[1] += (s2 * S2);
            pcg_accumulated[2] += (s3 * S3);
            pcg_accumulated[3] += G;
        }
    }
    if (threadIdx.x == 0) for (int pcg_j = 0; pcg_j < PCG_PARAMETERS; pcg_j++) partials[(pcg_size)blockIdx.x * PCG_PARAMETERS + pcg_j] = pcg_accumulated[pcg_j];
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

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_f32(const float* x, const float* gate, float* y, const float* parameters, pcg_size rows, int h)
{
    pcg_forward<float>(x, gate, y, parameters, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_f32(const float* x, const float* gate, const float* dy, float* dx, float* dgate, const float* parameters, float* partials, float* dparameters, unsigned int* counter, pcg_size rows, int h)
{
    pcg_backward<float>(x, gate, dy, dx, dgate, parameters, partials, dparameters, counter, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_f32(const float* partials, pcg_size count, float* dparameters)
{
    pcg_reduce<float>(partials, count, dparameters);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_statistics_f32(const float* x, const float* gate, const float* parameters, float* statistics, int stage, int rescaled, pcg_size rows, int h, int length)
{
    pcg_forward_statistics<float>(x, gate, parameters, statistics, stage, rescaled, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_apply_f32(const float* x, const float* gate, float* y, const float* parameters, const float* statistics, pcg_size rows, int h, int length)
{
    pcg_forward_apply<float>(x, gate, y, parameters, statistics, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_statistics_f32(const float* x, const float* gate, const float* dy, const float* parameters, float* statistics, int stage, int rescaled, pcg_size rows, int h, int length)
{
    pcg_backward_statistics<float>(x, gate, dy, parameters, statistics, stage, rescaled, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_apply_f32(const float* x, const float* gate, const float* dy, float* dx, float* dgate, const float* parameters, const float* statistics, float* partials, pcg_size rows, int h, int length)
{
    pcg_backward_apply<float>(x, gate, dy, dx, dgate, parameters, statistics, partials, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_bf16(const pcg_bf16* x, const pcg_bf16* gate, pcg_bf16* y, const pcg_bf16* parameters, pcg_size rows, int h)
{
    pcg_forward<pcg_bf16>(x, gate, y, parameters, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_bf16(const pcg_bf16* x, const pcg_bf16* gate, const pcg_bf16* dy, pcg_bf16* dx, pcg_bf16* dgate, const pcg_bf16* parameters, float* partials, pcg_bf16* dparameters, unsigned int* counter, pcg_size rows, int h)
{
    pcg_backward<pcg_bf16>(x, gate, dy, dx, dgate, parameters, partials, dparameters, counter, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_bf16(const float* partials, pcg_size count, pcg_bf16* dparameters)
{
    pcg_reduce<pcg_bf16>(partials, count, dparameters);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_statistics_bf16(const pcg_bf16* x, const pcg_bf16* gate, const pcg_bf16* parameters, float* statistics, int stage, int rescaled, pcg_size rows, int h, int length)
{
    pcg_forward_statistics<pcg_bf16>(x, gate, parameters, statistics, stage, rescaled, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_apply_bf16(const pcg_bf16* x, const pcg_bf16* gate, pcg_bf16* y, const pcg_bf16* parameters, const float* statistics, pcg_size rows, int h, int length)
{
    pcg_forward_apply<pcg_bf16>(x, gate, y, parameters, statistics, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_statistics_bf16(const pcg_bf16* x, const pcg_bf16* gate, const pcg_bf16* dy, const pcg_bf16* parameters, float* statistics, int stage, int rescaled, pcg_size rows, int h, int length)
{
    pcg_backward_statistics<pcg_bf16>(x, gate, dy, parameters, statistics, stage, rescaled, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_apply_bf16(const pcg_bf16* x, const pcg_bf16* gate, const pcg_bf16* dy, pcg_bf16* dx, pcg_bf16* dgate, const pcg_bf16* parameters, const float* statistics, float* partials, pcg_size rows, int h, int length)
{
    pcg_backward_apply<pcg_bf16>(x, gate, dy, dx, dgate, parameters, statistics, partials, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_f16(const pcg_f16* x, const pcg_f16* gate, pcg_f16* y, const pcg_f16* parameters, pcg_size rows, int h)
{
    pcg_forward<pcg_f16>(x, gate, y, parameters, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_f16(const pcg_f16* x, const pcg_f16* gate, const pcg_f16* dy, pcg_f16* dx, pcg_f16* dgate, const pcg_f16* parameters, float* partials, pcg_f16* dparameters, unsigned int* counter, pcg_size rows, int h)
{
    pcg_backward<pcg_f16>(x, gate, dy, dx, dgate, parameters, partials, dparameters, counter, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_f16(const float* partials, pcg_size count, pcg_f16* dparameters)
{
    pcg_reduce<pcg_f16>(partials, count, dparameters);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_statistics_f16(const pcg_f16* x, const pcg_f16* gate, const pcg_f16* parameters, float* statistics, int stage, int rescaled, pcg_size rows, int h, int length)
{
    pcg_forward_statistics<pcg_f16>(x, gate, parameters, statistics, stage, rescaled, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_forward_apply_f16(const pcg_f16* x, const pcg_f16* gate, pcg_f16* y, const pcg_f16* parameters, const float* statistics, pcg_size rows, int h, int length)
{
    pcg_forward_apply<pcg_f16>(x, gate, y, parameters, statistics, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_statistics_f16(const pcg_f16* x, const pcg_f16* gate, const pcg_f16* dy, const pcg_f16* parameters, float* statistics, int stage, int rescaled, pcg_size rows, int h, int length)
{
    pcg_backward_statistics<pcg_f16>(x, gate, dy, parameters, statistics, stage, rescaled, rows, h, length);
}

extern "C" __global__ void __launch_bounds__(PCG_ROW_BLOCK) polycom_backward_apply_f16(const pcg_f16* x, const pcg_f16* gate, const pcg_f16* dy, pcg_f16* dx, pcg_f16* dgate, const pcg_f16* parameters, const float* statistics, float* partials, pcg_size rows, int h, int length)
{
    pcg_backward_apply<pcg_f16>(x, gate, dy, dx, dgate, parameters, statistics, partials, rows, h, length);
}
