using System.Collections.Concurrent;
using Duplex.Protocol.Extensions;

namespace Duplex;

/// <summary>
/// Compressors shared by every connection whose own compressor takes no context over from one
/// message to the next (no_context_takeover, RFC 7692 §7.1.1): such a compressor is reset after
/// each message, so any idle one will do. A connection borrows one for a message and returns it,
/// so an idle connection holds no zlib state, and the pool holds only as many as were ever in
/// use at once (bounded; extras are freed).
/// </summary>
internal static class DeflaterPool
{
    private static readonly int MaxRetainedPerShape = Environment.ProcessorCount * 4;
    private static readonly ConcurrentDictionary<DeflaterShape, ConcurrentBag<MessageDeflater>> Pools = new();

    public static MessageDeflater Rent(DeflaterShape shape)
    {
        ConcurrentBag<MessageDeflater> pool = Pools.GetOrAdd(shape, static _ => []);
        return pool.TryTake(out MessageDeflater? deflater)
            ? deflater
            : new MessageDeflater(shape.WindowBits, shape.Level, shape.MemoryLevel, noContextTakeover: true);
    }

    public static void Return(MessageDeflater deflater)
    {
        ConcurrentBag<MessageDeflater> pool = Pools.GetOrAdd(new DeflaterShape(deflater.WindowBits, deflater.Level, deflater.MemoryLevel), static _ => []);
        if (pool.Count < MaxRetainedPerShape)
        {
            pool.Add(deflater);
        }
        else
        {
            deflater.Dispose();
        }
    }
}

/// <summary>What makes pooled compressors interchangeable: window, level and memory level.</summary>
internal readonly record struct DeflaterShape(int WindowBits, int Level, int MemoryLevel);
