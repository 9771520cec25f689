// PolyComGen CUDA kernels for [PolyCom(Order = 3, Inner = "GELU", Type = 1)] on GELUType1Order3:
// y = sum_{i=1..3} w[i-1] * GELU(x)^i + b.
// Self-contained (no include directives); float32, bfloat16 and float16 storage; float32 arithmetic and accumulation.

#define PCG_ORDER 3
#define PCG_BLOCK 256

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

__device__ __forceinline__ float pcg_max(float a, float b) { return a != a ? a : fmaxf(a, b); }
__device__ __forceinline__ float pcg_step(float u) { return u > 0.0f ? 1.0f : 0.0f; }
__device__ __forceinline__ float pcg_sign(float u) { return (u > 0.0f ? 1.0f : 0.0f) - (u < 0.0f ? 1.0f : 0.0f); }
__device__ __forceinline__ float pcg_sigmoid(float u) { return 1.0f / (1.0f + expf(-u)); }
__device__ __forceinline__ float pcg_softplus(float u) { return fmaxf(u, 0.0f) + log1pf(expf(-fabsf(u))); }

// 16 bytes of storage: 4 floats or 8 halves, moved with one vector load or store.
template <typename T> struct pcg_chunk
{
    static constexpr int size = 16 / sizeof(T);
    union { uint4 raw; T e[16 / sizeof(T)]; };
};

__device__ __forceinline__ bool pcg_aligned16(const void* p) { return (reinterpret_cast<pcg_size>(p) & 15) == 0; }

// out[i] = f(a[i], b[i]) for the i in [0, n) that belong to thread t of nt, in 16-byte chunks when every pointer
// is 16-byte aligned, then one by one. b (passed as 0 when null) and out (result dropped when null) are optional.
// Which thread handles which element, and in which order, depends on n, t and nt alone: sums built in f are
// deterministic.
template <typename T, typename F>
__device__ __forceinline__ void pcg_map(const T* a, const T* b, T* out, pcg_size n, pcg_size t, pcg_size nt, F f)
{
    constexpr int V = pcg_chunk<T>::size;
    const bool vectorised = pcg_aligned16(a) && (b == nullptr || pcg_aligned16(b)) && (out == nullptr || pcg_aligned16(out));
    pcg_size done = 0;
    if (vectorised)
    {
        const pcg_size chunks = n / V;
        for (pcg_size c = t; c < chunks; c += nt)
        {
            pcg_chunk<T> ca, cb, co;
            ca.raw = reinterpret_cast<const uint4*>(a)[c];
            if (b != nullptr) cb.raw = reinterpret_cast<const uint4*>(b)[c];
#pragma unroll
            for (int e = 0; e < V; e++)
            {
                const float r = f(pcg_to_float(ca.e[e]), b != nullptr ? pcg_to_float(cb.e[e]) : 0.0f);
                if (out != nullptr) co.e[e] = pcg_from_float<T>(r);
            }
            if (out != nullptr) reinterpret_cast<uint4*>(out)[c] = co.raw;
        }
        done = chunks * V;
    }
    for (pcg_size i = done + t; i < n; i += nt)
    {
        const float r = f(pcg_to_float(a[i]), b != nullptr ? pcg_to_float(b[i]) : 0.0f);
        if (out != nullptr) out[i] = pcg_from_float<T>(r);
    }
}

// Sums v[0..N) over the block; every thread gets the totals. Warp shuffles then warps in index order:
// a fixed order, so the sums are the same on every run. Every thread of the block must call it.
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

template <typename T>
__device__ __forceinline__ void pcg_load_weights(const T* weight, float (&w)[PCG_ORDER])
{
#pragma unroll
    for (int k = 0; k < PCG_ORDER; k++) w[k] = pcg_to_float(weight[k]);
}

// rho(u) = ((0.5 * u) * (1 + erf((0.7071067811865475 * u))))
__device__ __forceinline__ float pcg_rho(float u)
{
    return 0.5f * u * (1.0f + erff(0.7071067690849304f * u));
}

// rho'(u) = ((0.5 * (1 + erf((0.7071067811865475 * u)))) + ((0.5 * u) * (0.7978845608028653 * exp(-(((0.7071067811865475 * u))^2)))))
__device__ __forceinline__ float pcg_rho_grad(float u)
{
    const float t0 = 0.7071067690849304f * u;
    return (0.5f * (1.0f + erff(t0)) + 0.5f * u * 0.7978845834732056f * expf(-((t0 * t0))));
}

// Type 1: p = rho(x), y = b + sum_k w_k p^k; dy/dx = rho'(x) sum_k k w_k p^(k-1); dw_k += g p^k.
__device__ __forceinline__ float pcg_forward_element(float x, const float (&w)[PCG_ORDER], float b)
{
    const float p = pcg_rho(x);
    float r = w[PCG_ORDER - 1];
#pragma unroll
    for (int k = PCG_ORDER - 2; k >= 0; k--) r = r * p + w[k];
    return r * p + b;
}

__device__ __forceinline__ float pcg_backward_element(float x, float g, const float (&w)[PCG_ORDER], float (&acc)[PCG_ORDER + 1])
{
    const float p = pcg_rho(x);
    float slope = PCG_ORDER * w[PCG_ORDER - 1];
#pragma unroll
    for (int k = PCG_ORDER - 2; k >= 0; k--) slope = slope * p + (k + 1) * w[k];
    float pk = p;
#pragma unroll
    for (int k = 0; k < PCG_ORDER; k++) { if (k > 0) pk *= p; acc[k] += g * pk; }
    acc[PCG_ORDER] += g;
    return g * pcg_rho_grad(x) * slope;
}

// Elementwise: a grid-stride loop over rows * h elements; backward leaves one row of partials per block.
template <typename T>
__device__ __forceinline__ void pcg_forward(const T* x, T* y, const T* weight, const T* bias, pcg_size rows, int h)
{
    float w[PCG_ORDER];
    pcg_load_weights(weight, w);
    const float b = pcg_to_float(bias[0]);
    const pcg_size t = (pcg_size)blockIdx.x * blockDim.x + threadIdx.x, nt = (pcg_size)gridDim.x * blockDim.x;
    pcg_map<T>(x, nullptr, y, rows * h, t, nt, [&](float v, float) { return pcg_forward_element(v, w, b); });
}

template <typename T>
__device__ __forceinline__ void pcg_backward(const T* x, const T* dy, T* dx, const T* weight, float* partials, pcg_size rows, int h)
{
    float w[PCG_ORDER];
    pcg_load_weights(weight, w);
    float acc[PCG_ORDER + 1] = {};
    const pcg_size t = (pcg_size)blockIdx.x * blockDim.x + threadIdx.x, nt = (pcg_size)gridDim.x * blockDim.x;
    pcg_map<T>(x, dy, dx, rows * h, t, nt, [&](float v, float g) { return pcg_backward_element(v, g, w, acc); });
    pcg_block_sum(acc);
    if (threadIdx.x == 0)
    {
#pragma unroll
        for (int k = 0; k <= PCG_ORDER; k++) partials[(pcg_size)blockIdx.x * (PCG_ORDER + 1) + k] = acc[k];
    }
}

// Block k sums column k of the [count, PCG_ORDER + 1] partials, in a fixed order: no atomics.
template <typename T>
__device__ __forceinline__ void pcg_reduce(const float* partials, pcg_size count, T* dweight, T* dbias)
{
    const int k = blockIdx.x;
    float s[1] = {};
    for (pcg_size i = threadIdx.x; i < count; i += blockDim.x) s[0] += partials[i * (PCG_ORDER + 1) + k];
    pcg_block_sum(s);
    if (threadIdx.x == 0)
    {
        if (k < PCG_ORDER) dweight[k] = pcg_from_float<T>(s[0]);
        else dbias[0] = pcg_from_float<T>(s[0]);
    }
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_forward_f32(const float* x, float* y, const float* weight, const float* bias, pcg_size rows, int h)
{
    pcg_forward<float>(x, y, weight, bias, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_backward_f32(const float* x, const float* dy, float* dx, const float* weight, float* partials, pcg_size rows, int h)
{
    pcg_backward<float>(x, dy, dx, weight, partials, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_f32(const float* partials, pcg_size count, float* dweight, float* dbias)
{
    pcg_reduce<float>(partials, count, dweight, dbias);
}
extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_forward_bf16(const pcg_bf16* x, pcg_bf16* y, const pcg_bf16* weight, const pcg_bf16* bias, pcg_size rows, int h)
{
    pcg_forward<pcg_bf16>(x, y, weight, bias, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_backward_bf16(const pcg_bf16* x, const pcg_bf16* dy, pcg_bf16* dx, const pcg_bf16* weight, float* partials, pcg_size rows, int h)
{
    pcg_backward<pcg_bf16>(x, dy, dx, weight, partials, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_bf16(const float* partials, pcg_size count, pcg_bf16* dweight, pcg_bf16* dbias)
{
    pcg_reduce<pcg_bf16>(partials, count, dweight, dbias);
}
extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_forward_f16(const pcg_f16* x, pcg_f16* y, const pcg_f16* weight, const pcg_f16* bias, pcg_size rows, int h)
{
    pcg_forward<pcg_f16>(x, y, weight, bias, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_backward_f16(const pcg_f16* x, const pcg_f16* dy, pcg_f16* dx, const pcg_f16* weight, float* partials, pcg_size rows, int h)
{
    pcg_backward<pcg_f16>(x, dy, dx, weight, partials, rows, h);
}

extern "C" __global__ void __launch_bounds__(PCG_BLOCK) polycom_reduce_f16(const float* partials, pcg_size count, pcg_f16* dweight, pcg_f16* dbias)
{
    pcg_reduce<pcg_f16>(partials, count, dweight, dbias);
}
