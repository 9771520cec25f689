using System;

namespace PolyComGen.GpuCheck;

/// <summary>The storage dtypes of the CUDA kernels, with host-side conversions that round as the device does.</summary>
public sealed record Storage(string Suffix, int Size)
{
    public static readonly Storage Float32 = new("f32", 4);
    public static readonly Storage BFloat16 = new("bf16", 2);
    public static readonly Storage Float16 = new("f16", 2);

    public static readonly Storage[] All = [Float32, BFloat16, Float16];

    /// <summary>The kernel contract's storage type with this suffix.</summary>
    public PolyComGen.Contract.StorageType Contract => System.Array.Find(PolyComGen.Contract.KernelContract.StorageTypes, s => s.Suffix == Suffix)!;

    /// <summary>The value after a round trip through this storage type.</summary>
    public double Round(double value)
    {
        var bytes = new byte[Size];
        Encode(value, bytes);
        return Decode(bytes, 0);
    }

    public byte[] Encode(ReadOnlySpan<double> values)
    {
        var bytes = new byte[values.Length * Size];
        for (int i = 0; i < values.Length; i++)
        {
            Encode(values[i], bytes.AsSpan(i * Size));
        }
        return bytes;
    }

    public double[] Decode(byte[] bytes)
    {
        var values = new double[bytes.Length / Size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Decode(bytes, i * Size);
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

    private double Decode(byte[] bytes, int offset) => Suffix switch
    {
        "f32" => BitConverter.ToSingle(bytes, offset),
        "f16" => (double)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(bytes, offset)),
        _ => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(bytes, offset) << 16),
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
