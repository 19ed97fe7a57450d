using System.Runtime.InteropServices;

namespace Duplex.Cli.Bench;

/// <summary>The few libc calls the load generator needs (Linux and macOS); every caller has a fallback.</summary>
internal static class NativeMethods
{
    // RLIMIT_NOFILE: 7 on Linux, 8 on macOS and the BSDs.
    private static int RlimitNoFile => OperatingSystem.IsLinux() ? 7 : 8;

    private static bool s_sleepBroken;

    /// <summary>
    /// Raises the soft open-file limit of this process to its hard limit. Returns the limit in
    /// effect afterwards (soft, hard), or null where it cannot be read (Windows).
    /// </summary>
    public static (ulong Soft, ulong Hard, string? Problem)? RaiseOpenFileLimit()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        try
        {
            var limit = default(RLimit);
            if (getrlimit(RlimitNoFile, ref limit) != 0)
            {
                return null;
            }

            string? problem = null;
            if (limit.Current < limit.Maximum)
            {
                var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
                if (setrlimit(RlimitNoFile, ref raised) == 0)
                {
                    limit = raised;
                }
                else
                {
                    problem = $"setrlimit(RLIMIT_NOFILE, {limit.Maximum}) failed: errno {Marshal.GetLastPInvokeError()}";
                }
            }

            return (limit.Current, limit.Maximum, problem);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Sleeps the calling thread for a sub-millisecond time with nanosleep; false where it is not available.</summary>
    public static bool TrySleep(double seconds)
    {
        if (s_sleepBroken || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
        {
            return false;
        }

        try
        {
            var request = new TimeSpec { Seconds = (long)seconds, Nanoseconds = (long)((seconds - Math.Floor(seconds)) * 1e9) };
            _ = nanosleep(ref request, IntPtr.Zero);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            s_sleepBroken = true;
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

#pragma warning disable SYSLIB1054 // LibraryImport's generated marshalling needs unsafe code, which this repository does not allow; these signatures are blittable.
    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, ref RLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, ref RLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int nanosleep(ref TimeSpec request, IntPtr remaining);
#pragma warning restore SYSLIB1054
}
