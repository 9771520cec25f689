using System;

namespace PolyComGen.Verification;

/// <summary>
/// A storage dtype of the kernels (float32, bfloat16, float16), with host-side conversions that round as the device
/// does: what the parity checker rounds its inputs to, and how a GPU target moves values to and from the device.
/// </summary>
/// <param name="Contract">The kernel contract's storage type: its suffix (f32, bf16, f16), size and names.</param>
public sealed record StorageFormat(PolyComGen.Contract.StorageType Contract)
{
    /// <summary>Every storage dtype of the CUDA kernels, in the contract's order.</summary>
    public static readonly StorageFormat[] All = System.Array.ConvertAll(PolyComGen.Contract.KernelContract.StorageTypes, s => new StorageFormat(s));

    /// <summary>float32.</summary>
    public static readonly StorageFormat Float32 = Of("f32");

    /// <summary>bfloat16 (float32 arithmetic).</summary>
    public static readonly StorageFormat BFloat16 = Of("bf16");

    /// <summary>float16 (float32 arithmetic).</summary>
    public static readonly StorageFormat Float16 = Of("f16");

    /// <summary>The kernel contract's suffix (f32, bf16, f16).</summary>
    public string Suffix => Contract.Suffix;

    /// <summary>Bytes per element.</summary>
    public int Size => Contract.Size;

    private static StorageFormat Of(string suffix) => System.Array.Find(All, f => f.Suffix == suffix)
        ?? throw new InvalidOperationException($"The kernel contract has no storage type {suffix}.");

    /// <summary>The smallest positive normal number: below it the format keeps an absolute step only.</summary>
    public double SmallestNormal => Suffix == "f16" ? 6.103515625e-05 : 1.1754943508222875e-38;

    /// <inheritdoc/>
    public override string ToString() => Suffix;

    /// <summary>The value after a round trip through this storage type.</summary>
    public double Round(double value)
    {
        Span<byte> bytes = stackalloc byte[4];
        Encode(value, bytes);
        return Decode(bytes);
    }

    /// <summary>The values in this format, as the device stores them.</summary>
    public byte[] Encode(ReadOnlySpan<double> values)
    {
        var bytes = new byte[values.Length * Size];
        for (int i = 0; i < values.Length; i++)
        {
            Encode(values[i], bytes.AsSpan(i * Size));
        }
        return bytes;
    }

    /// <summary>The values of bytes in this format.</summary>
    public double[] Decode(byte[] bytes)
    {
        var values = new double[bytes.Length / Size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Decode(bytes.AsSpan(i * Size));
        }
        return values;
    }

    private void Encode(double value, Span<byte> target)
    {
        float f = (float)value;
        switch (Suffix)
        {
            case "f32":
                BitConverter.TryWriteBytes(target, f);
                break;
            case "f16":
                BitConverter.TryWriteBytes(target, BitConverter.HalfToUInt16Bits((Half)f));
                break;
            default:
                BitConverter.TryWriteBytes(target, ToBFloat16(f));
                break;
        }
    }

    private double Decode(ReadOnlySpan<byte> bytes) => Suffix switch
    {
        "f32" => BitConverter.ToSingle(bytes),
        "f16" => (double)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(bytes)),
        _ => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(bytes) << 16),
    };

    // Round to nearest even, NaN kept quiet: the same rule as pcg_from_float<pcg_bf16> in the kernels.
    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7fffffffu) > 0x7f800000u)
        {
            return (ushort)((bits >> 16) | 0x40u);
        }
        bits += 0x7fffu + ((bits >> 16) & 1u);
        return (ushort)(bits >> 16);
    }
}
