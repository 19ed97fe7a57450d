using System.Runtime.InteropServices;

namespace Duplex.Transport;

/// <summary>
/// The three epoll(7) calls the readiness engine makes (Linux, x64 and arm64). The kernel's
/// <c>struct epoll_event</c> is packed on x86-64 (12 bytes: the 64-bit data at offset 4) and
/// naturally aligned elsewhere (16 bytes: data at offset 8); events are read from a byte buffer
/// at the stride of the machine.
/// </summary>
internal static class Epoll
{
    public const int CtlAdd = 1;
    public const int CtlDel = 2;
    public const int CtlMod = 3;

    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Err = 0x008;
    public const uint Hup = 0x010;
    public const uint RdHup = 0x2000;
    public const uint OneShot = 1u << 30;

    private const int CloExec = 0x80000;

    /// <summary>Whether this machine's layout of <c>struct epoll_event</c> is known here.</summary>
    public static bool Supported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>The size of one <c>struct epoll_event</c>.</summary>
    public static int EventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary>Where an event's 64-bit data lies in it.</summary>
    public static int DataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>A new epoll instance (close-on-exec), or -1 with the error in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int Create() => epoll_create1(CloExec);

    /// <summary>Adds, changes or removes <paramref name="fd"/>; 0, or the errno.</summary>
    public static int Control(int epoll, int op, int fd, uint events, ulong data)
    {
        int result;
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            var ev = new PackedEvent { Events = events, Data = data };
            result = epoll_ctl(epoll, op, fd, ref ev);
        }
        else
        {
            var ev = new AlignedEvent { Events = events, Data = data };
            result = epoll_ctl(epoll, op, fd, ref ev);
        }

        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Waits for events into <paramref name="events"/>: their count, or -1 with the errno.</summary>
    public static int Wait(int epoll, byte[] events, out int errno)
    {
        int count = epoll_wait(epoll, events, events.Length / EventSize, -1);
        errno = count < 0 ? Marshal.GetLastPInvokeError() : 0;
        return count;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct PackedEvent
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct AlignedEvent
    {
        public uint Events;
        public ulong Data;
    }

#pragma warning disable SYSLIB1054 // LibraryImport's generated marshalling needs unsafe code, which this project does not allow; these signatures are blittable.
    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_ctl(int epfd, int op, int fd, ref PackedEvent ev);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_ctl(int epfd, int op, int fd, ref AlignedEvent ev);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_wait(int epfd, [Out] byte[] events, int maxevents, int timeout);
#pragma warning restore SYSLIB1054
}
