using System;
using System.Runtime.InteropServices;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// The kernelParams array of cuLaunchKernel: each argument's value in its own 8-byte slot of one native
/// block, and an array of pointers to those slots. No boxing; freed on dispose.
/// </summary>
internal sealed unsafe class KernelArguments : IDisposable
{
    private const int SlotSize = 8;
    private readonly byte* slots;
    private readonly void** pointers;
    private readonly int capacity;

    public KernelArguments(int capacity)
    {
        this.capacity = capacity;
        slots = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * SlotSize));
        pointers = (void**)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(void*)));
    }

    public int Count { get; private set; }

    /// <summary>The array to pass as cuLaunchKernel's kernelParams.</summary>
    public void** Pointers => pointers;

    public KernelArguments Add<T>(T value) where T : unmanaged
    {
        if (sizeof(T) > SlotSize)
        {
            throw new ArgumentException($"{typeof(T).Name} does not fit an argument slot.", nameof(value));
        }
        if (Count == capacity)
        {
            throw new InvalidOperationException($"All {capacity} argument slots are used.");
        }
        byte* slot = slots + Count * SlotSize;
        *(T*)slot = value;
        pointers[Count++] = slot;
        return this;
    }

    public void Dispose()
    {
        NativeMemory.Free(slots);
        NativeMemory.Free(pointers);
    }
}
