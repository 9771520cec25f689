using System;

namespace PolyComGen.Verification;

/// <summary>
/// A storage dtype of the kernels (float32, bfloat16, float16), with host-side conversions that round as the device
/// does: what the parity checker rounds its inputs to, and how a GPU target moves values to and from the device.
/// </summary>
/// <param name="Suffix">The kernel contract's suffix (f32, bf16, f16).</param>
/// <param name="Size">Bytes per element.</param>
public sealed record StorageFormat(string Suffix, int Size)
{
    /// <summary>float32.</summary>
    public static readonly StorageFormat Float32 = new("f32", 4);

    /// <summary>bfloat16 (float32 arithmetic).</summary>
    public static readonly StorageFormat BFloat16 = new("bf16", 2);

    /// <summary>float16 (float32 arithmetic).</summary>
    public static readonly StorageFormat Float16 = new("f16", 2);

    /// <summary>The storage dtypes of the CUDA kernels.</summary>
    public static readonly StorageFormat[] All = [Float32, BFloat16, Float16];

    /// <summary>The kernel contract's storage type with this suffix.</summary>
    public PolyComGen.Contract.StorageType Contract => System.Array.Find(PolyComGen.Contract.KernelContract.StorageTypes, s => s.Suffix == Suffix)!;

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
