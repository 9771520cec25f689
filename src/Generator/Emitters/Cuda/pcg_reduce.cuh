// Block k sums column k of the [count, PCG_ORDER + 1] gradient partials, in row order: no atomics, so dweight
// and dbias are the same on every run.
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
