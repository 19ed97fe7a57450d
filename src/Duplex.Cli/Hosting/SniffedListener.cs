using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Duplex.Cli.Hosting;

/// <summary>
/// What Kestrel accepts one protocol's connections from: those a <see cref="PriorKnowledgeTransport"/>
/// judged to speak it, queued (bounded: past <see cref="Capacity"/> waiting, a connection is closed).
/// </summary>
internal sealed class SniffedListener(Func<EndPoint> endPoint, Func<ValueTask> unbound) : IConnectionListener
{
    /// <summary>Connections judged but not yet taken by Kestrel, which takes them as fast as they come.</summary>
    private const int Capacity = 1024;

    private readonly Channel<ConnectionContext> _judged = Channel.CreateBounded<ConnectionContext>(new BoundedChannelOptions(Capacity) { SingleWriter = false, SingleReader = false });
    private int _unbound;

    /// <summary>The port all protocols share, once bound (port 0 resolved).</summary>
    public EndPoint EndPoint => endPoint();

    /// <summary>Queues <paramref name="connection"/> for Kestrel; false when the listener is unbound or full (the caller closes it).</summary>
    public bool TryOffer(ConnectionContext connection) => _judged.Writer.TryWrite(connection);

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _judged.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbound, 1) != 0)
        {
            return;
        }

        _judged.Writer.TryComplete();
        while (_judged.Reader.TryRead(out ConnectionContext? waiting))
        {
            await waiting.DisposeAsync().ConfigureAwait(false);
        }

        await unbound().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => UnbindAsync();
}
