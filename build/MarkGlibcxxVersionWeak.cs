// An MSBuild task, compiled by RoslynCodeTaskFactory: see PolyComGen.TorchSharpFix.targets for why.
namespace PolyComGen.Build
{
    using System;
    using System.IO;
    using System.Text;
    using Microsoft.Build.Framework;
    using Microsoft.Build.Utilities;

    /// <summary>
    /// Marks one symbol version that a shared library needs (an Elf64_Vernaux entry of .gnu.version_r) as
    /// VER_FLG_WEAK, in place, when the system's libstdc++ does not define that version.
    /// </summary>
    public sealed class MarkGlibcxxVersionWeak : Task
    {
        private const uint SectionTypeVersionNeed = 0x6ffffffe; // SHT_GNU_verneed
        private const ushort VersionFlagWeak = 0x2;             // VER_FLG_WEAK

        private static readonly string[] LibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

        [Required] public string Version { get; set; } = "";

        public override bool Execute()
        {
            string libStdCxx = Array.Find(LibStdCxxCandidates, File.Exists);
            if (libStdCxx is null || Contains(File.ReadAllBytes(libStdCxx), Encoding.ASCII.GetBytes(Version + "\0")))
            {
                return true; // The system defines the version (or has no libstdc++ we know): nothing to fix.
            }

            foreach (ITaskItem item in Libraries)
            {
                string path = item.ItemSpec;
                if (!File.Exists(path))
                {
                    continue;
                }
                try
                {
                    byte[] image = File.ReadAllBytes(path);
                    switch (MarkWeak(image, Version))
                    {
                        case PatchResult.Patched:
                            File.WriteAllBytes(path, image);
                            Log.LogMessage(MessageImportance.Normal, $"PolyComGen: marked {Version} weak in {path} ({libStdCxx} lacks it).");
                            break;
                        case PatchResult.NotFound:
                            Log.LogMessage(MessageImportance.Low, $"PolyComGen: {path} does not need {Version}.");
                            break;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    Log.LogWarning($"PolyComGen: could not patch {path} for {Version}: {e.Message}. TorchSharp may fail to load on this system.");
                }
            }
            return !Log.HasLoggedErrors;
        }

        private enum PatchResult { Patched, AlreadyWeak, NotFound }

        private static PatchResult MarkWeak(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                throw new FormatException("not an ELF file");
            }
            if (elf[4] != 2 || elf[5] != 1)
            {
                throw new FormatException("not a little-endian 64-bit ELF file");
            }

            long sectionHeaders = (long)BitConverter.ToUInt64(elf, 0x28);
            int sectionHeaderSize = BitConverter.ToUInt16(elf, 0x3A);
            int sectionCount = BitConverter.ToUInt16(elf, 0x3C);
            for (int i = 0; i < sectionCount; i++)
            {
                long header = sectionHeaders + (long)i * sectionHeaderSize;
                if (BitConverter.ToUInt32(elf, (int)header + 4) != SectionTypeVersionNeed)
                {
                    continue;
                }
                long offset = (long)BitConverter.ToUInt64(elf, (int)header + 0x18);
                int linkedStrings = (int)BitConverter.ToUInt32(elf, (int)header + 0x28);
                long strings = (long)BitConverter.ToUInt64(elf, (int)(sectionHeaders + (long)linkedStrings * sectionHeaderSize) + 0x18);

                // Elf64_Verneed { vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32 }
                // Elf64_Vernaux { vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32 }
                long need = offset;
                while (true)
                {
                    int count = BitConverter.ToUInt16(elf, (int)need + 2);
                    long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                    for (int j = 0; j < count; j++)
                    {
                        string name = ReadString(elf, strings + BitConverter.ToUInt32(elf, (int)aux + 8));
                        if (name == version)
                        {
                            ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                            if ((flags & VersionFlagWeak) != 0)
                            {
                                return PatchResult.AlreadyWeak;
                            }
                            BitConverter.GetBytes((ushort)(flags | VersionFlagWeak)).CopyTo(elf, (int)aux + 4);
                            return PatchResult.Patched;
                        }
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                    if (next == 0)
                    {
                        break;
                    }
                    need += next;
                }
            }
            return PatchResult.NotFound;
        }

        private static string ReadString(byte[] bytes, long start)
        {
            int end = Array.IndexOf(bytes, (byte)0, (int)start);
            return Encoding.ASCII.GetString(bytes, (int)start, end - (int)start);
        }

        private static bool Contains(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j])
                {
                    j++;
                }
                if (j == needle.Length)
                {
                    return true;
                }
            }
            return false;
        }
    }
}
