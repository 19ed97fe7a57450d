using System.Buffers.Binary;

namespace Duplex.Transport;

/// <summary>
/// Tells waiting sockets that they have become ready: one epoll instance and one thread that
/// waits on it, shared by every <see cref="SocketStream"/> of the process (Linux), one engine
/// for reading (<see cref="Readable"/>) and one for writing (<see cref="Writable"/>: used
/// only when the kernel's send buffer is full). A socket is armed for one notification at a
/// time (EPOLLONESHOT, level-triggered: readiness that came before arming fires at once), and
/// the notification is handed to the thread pool: nothing of a connection's runs on this thread.
/// </summary>
/// <remarks>
/// Why not the socket's own waits: a pending zero-byte <c>ReceiveAsync</c> holds about 0.5 KB
/// per connection (the socket's cached awaitable event args, its receive operation and
/// completion delegate) for as long as the connection is idle, which is most of the time for
/// most connections; a send that had to wait keeps the socket's send state as long, and
/// registers the socket with .NET's own epoll, whose thread then wakes for all of its traffic.
/// A wait here holds one <see cref="ReadinessWait"/> of about 100 bytes and a slot in a table.
/// Elsewhere (other systems, <see cref="SocketEngine.DotNet"/>, or <c>DUPLEX_SOCKET_ENGINE=dotnet</c>)
/// the socket's own waits are used.
/// </remarks>
internal sealed class ReadinessEngine
{
    private const int MaxEvents = 256;

    private static readonly Lazy<ReadinessEngine?> s_readable = new(() => TryStart(Epoll.In | Epoll.RdHup, "Duplex readable"), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<ReadinessEngine?> s_writable = new(() => TryStart(Epoll.Out, "Duplex writable"), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly int _epoll;
    private readonly uint _interest;
    private readonly Lock _gate = new();
    private ReadinessWait?[] _slots = new ReadinessWait?[64];
    private readonly Stack<int> _freeSlots = new();
    private int _nextSlot;
    private uint _generation;

    private ReadinessEngine(int epoll, uint interest)
    {
        _epoll = epoll;
        _interest = interest | Epoll.OneShot;
    }

    /// <summary>The process's engine for waiting to read, or null where the socket's own wait is used.</summary>
    public static ReadinessEngine? Readable => s_readable.Value;

    /// <summary>The process's engine for waiting to write, or null where the socket's own send is used.</summary>
    public static ReadinessEngine? Writable => s_writable.Value;

    private static ReadinessEngine? TryStart(uint interest, string name)
    {
        if (!Epoll.Supported || string.Equals(Environment.GetEnvironmentVariable("DUPLEX_SOCKET_ENGINE"), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        int epoll;
        try
        {
            epoll = Epoll.Create();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        if (epoll < 0)
        {
            return null;
        }

        var engine = new ReadinessEngine(epoll, interest);
        var thread = new Thread(engine.Run) { IsBackground = true, Name = name };
        thread.UnsafeStart();
        return engine;
    }

    /// <summary>Gives <paramref name="wait"/> a slot; its events carry the slot and a generation, so a late event for a slot's earlier owner is ignored.</summary>
    public (int Slot, uint Generation) Register(ReadinessWait wait)
    {
        lock (_gate)
        {
            if (!_freeSlots.TryPop(out int slot))
            {
                slot = _nextSlot++;
                if (slot == _slots.Length)
                {
                    // Published whole: the engine's thread reads the table without the lock.
                    var larger = new ReadinessWait?[_slots.Length * 2];
                    Array.Copy(_slots, larger, _slots.Length);
                    Volatile.Write(ref _slots, larger);
                }
            }

            uint generation = ++_generation;
            Volatile.Write(ref _slots[slot], wait);
            return (slot, generation);
        }
    }

    /// <summary>Frees <paramref name="slot"/>; events still in flight for it find it empty or someone else's.</summary>
    public void Unregister(int slot)
    {
        lock (_gate)
        {
            Volatile.Write(ref _slots[slot], null);
            _freeSlots.Push(slot);
        }
    }

    /// <summary>Arms <paramref name="fd"/> for one notification; 0, or the errno.</summary>
    public int Arm(int fd, bool added, int slot, uint generation)
    {
        ulong data = ((ulong)generation << 32) | (uint)slot;
        int errno = Epoll.Control(_epoll, added ? Epoll.CtlMod : Epoll.CtlAdd, fd, _interest, data);
        const int ENOENT = 2;
        const int EEXIST = 17;
        if (errno == (added ? ENOENT : EEXIST))
        {
            errno = Epoll.Control(_epoll, added ? Epoll.CtlAdd : Epoll.CtlMod, fd, _interest, data);
        }

        return errno;
    }

    /// <summary>Stops watching <paramref name="fd"/> (before it is closed).</summary>
    public void Remove(int fd) => _ = Epoll.Control(_epoll, Epoll.CtlDel, fd, 0, 0);

    private void Run()
    {
        int stride = Epoll.EventSize;
        int dataOffset = Epoll.DataOffset;
        byte[] events = new byte[MaxEvents * stride];
        while (true)
        {
            int count = Epoll.Wait(_epoll, events, out int errno);
            if (count < 0)
            {
                const int EINTR = 4;
                if (errno == EINTR)
                {
                    continue;
                }

                throw new InvalidOperationException($"epoll_wait failed: errno {errno}.");
            }

            ReadinessWait?[] slots = Volatile.Read(ref _slots);
            for (int i = 0; i < count; i++)
            {
                ulong data = BinaryPrimitives.ReadUInt64LittleEndian(events.AsSpan((i * stride) + dataOffset, 8));
                int slot = (int)(uint)data;
                if (slot >= slots.Length)
                {
                    slots = Volatile.Read(ref _slots);
                }

                if (slot < slots.Length && Volatile.Read(ref slots[slot]) is { } wait)
                {
                    wait.OnReady((uint)(data >> 32));
                }
            }
        }
    }
}
