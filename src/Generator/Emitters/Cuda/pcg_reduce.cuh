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
