using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Backends.Cuda;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Tests.Numerics;
using Xunit;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>The emulated device's own semantics, on small kernels written for the purpose.</summary>
[Trait("Category", "CudaEmulation")]
public sealed unsafe class EmulatedDeviceTests
{
    // Each thread records: shared memory read before anything wrote it, its neighbour's value after a barrier, and
    // the values shuffled in from lanes t ^ 1 and t ^ 16.
    private const string Probe = """
        extern "C" __global__ void probe(float* out)
        {
            __shared__ float stage[64];
            const int t = threadIdx.x;
            const float unwritten = stage[t];
            stage[t] = (float)(blockIdx.x * 100 + t);
            __syncthreads();
            const float neighbour = stage[(t + 1) % blockDim.x];
            const float near = __shfl_xor_sync(0xffffffffu, (float)t, 1);
            const float far = __shfl_xor_sync(0xffffffffu, (float)t, 16);
            float* o = out + (blockIdx.x * blockDim.x + t) * 4;
            o[0] = unwritten; o[1] = neighbour; o[2] = near; o[3] = far;
        }

        extern "C" __global__ void early_exit(float* out)
        {
            if (threadIdx.x == 0) return;
            __syncthreads();
            out[threadIdx.x] = 1.0f;
        }

        extern "C" __global__ void divergent(float* out)
        {
            if (threadIdx.x < 16) __syncthreads();
            else out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, 1.0f, 1);
        }
        """;

    private static EmulatedLibrary Library() => EmulatedDevice.Compile(Probe, ["probe", "early_exit", "divergent"], "the emulator's probe kernels");

    [SkippableTheory]
    [InlineData(EmulationSchedule.ThreadOrder)]
    [InlineData(EmulationSchedule.Random)]
    [InlineData(EmulationSchedule.WarpByWarp)]
    public void PartialWarpsBarriersSharedMemoryAndShufflesBehaveAsOnTheHardware(EmulationSchedule schedule)
    {
        EmulatedParity.RequireEmulator();
        const int threads = 40, blocks = 2;
        float[] output = Launch(Library(), "probe", blocks, threads, blocks * threads * 4, schedule);

        for (int b = 0; b < blocks; b++)
        {
            for (int t = 0; t < threads; t++)
            {
                ReadOnlySpan<float> o = output.AsSpan((b * threads + t) * 4, 4);
                Assert.True(float.IsNaN(o[0]), $"block {b} thread {t}: shared memory not poisoned before the block ({o[0]})");
                Assert.Equal(b * 100 + (t + 1) % threads, o[1]);
                Assert.Equal(t ^ 1, o[2]);
                if (t < 32)
                {
                    Assert.Equal(t ^ 16, o[3]);
                }
                else
                {
                    Assert.True(float.IsNaN(o[3]), $"thread {t}: a lane outside the launch must give a poisoned value, gave {o[3]}");
                }
            }
        }
    }

    [SkippableFact]
    public void AThreadExitingWhileOthersWaitAtABarrierIsAnError()
    {
        EmulatedParity.RequireEmulator();
        var error = Assert.Throws<CudaEmulationException>(() => Launch(Library(), "early_exit", 1, 64, 64, EmulationSchedule.ThreadOrder));
        Assert.Contains("exited while other threads of its block wait at __syncthreads", error.Message);
    }

    [SkippableFact]
    public void ADeadlockIsAnError()
    {
        EmulatedParity.RequireEmulator();
        var error = Assert.Throws<CudaEmulationException>(() => Launch(Library(), "divergent", 1, 32, 32, EmulationSchedule.ThreadOrder));
        Assert.Contains("deadlock", error.Message);
    }

    [SkippableFact]
    public void Float16ConversionsRoundToNearestEvenLikeTheHardware()
    {
        EmulatedParity.RequireEmulator();
        // The software path that the generated source offers in place of cvt.f32.f16 / cvt.rn.f16.f32.
        string source = SpecGrid.All[0].CudaSource + """

            extern "C" __global__ void decode(const pcg_f16* in, float* out, unsigned int n)
            {
                for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) out[i] = pcg_to_float(in[i]);
            }

            extern "C" __global__ void encode(const float* in, pcg_f16* out, unsigned int n)
            {
                for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) out[i] = pcg_from_float<pcg_f16>(in[i]);
            }
            """;
        EmulatedLibrary library = EmulatedDevice.Compile(source, ["decode", "encode"], "float16 conversions");

        ushort[] every = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        float[] decoded = new float[every.Length];
        Run(library, "decode", every, decoded);
        for (int i = 0; i < every.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(every[i]);
            Assert.True(expected.Equals(decoded[i]), $"half 0x{i:x4} decoded to {decoded[i]}, expected {expected}");
        }

        // Every half, every midpoint between neighbours (the ties), values just beside them, and random floats.
        var random = new Random(5);
        var floats = new List<float>();
        for (int i = 0; i < 65535; i++)
        {
            float a = (float)BitConverter.UInt16BitsToHalf((ushort)i), b = (float)BitConverter.UInt16BitsToHalf((ushort)(i + 1));
            if (float.IsFinite(a) && float.IsFinite(b) && Math.Sign(a) == Math.Sign(b))
            {
                float middle = (float)(((double)a + b) / 2);
                floats.AddRange([a, middle, MathF.BitIncrement(middle), MathF.BitDecrement(middle)]);
            }
        }
        floats.AddRange(Enumerable.Range(0, 200_000).Select(_ => BitConverter.Int32BitsToSingle(random.Next())));
        floats.AddRange([float.PositiveInfinity, float.NegativeInfinity, 65519.99f, 65520f, 1e-8f, -1e-8f, 2.9802322e-8f, 5.9604645e-8f]);
        float[] input = floats.ToArray();
        ushort[] encoded = new ushort[input.Length];
        Run(library, "encode", input, encoded);
        for (int i = 0; i < input.Length; i++)
        {
            Half expected = (Half)input[i];
            Half actual = BitConverter.UInt16BitsToHalf(encoded[i]);
            Assert.True(Half.IsNaN(expected) ? Half.IsNaN(actual) : BitConverter.HalfToUInt16Bits(expected) == encoded[i],
                $"{input[i]:R} (0x{BitConverter.SingleToUInt32Bits(input[i]):x8}) encoded to 0x{encoded[i]:x4}, expected 0x{BitConverter.HalfToUInt16Bits(expected):x4}");
        }
    }

    private static void Run<TIn, TOut>(EmulatedLibrary library, string entry, TIn[] input, TOut[] output) where TIn : unmanaged where TOut : unmanaged
    {
        fixed (TIn* i = input)
        fixed (TOut* o = output)
        {
            using var arguments = new KernelArguments(3).Add((ulong)i).Add((ulong)o).Add((uint)input.Length);
            library.Launch(entry, 64, 256, arguments, EmulationSchedule.ThreadOrder, 0);
        }
    }

    private static float[] Launch(EmulatedLibrary library, string entry, uint blocks, uint threads, int outputs, EmulationSchedule schedule)
    {
        float[] output = new float[outputs];
        fixed (float* o = output)
        {
            using var arguments = new KernelArguments(1).Add((ulong)o);
            library.Launch(entry, blocks, threads, arguments, schedule, 11);
        }
        return output;
    }
}
