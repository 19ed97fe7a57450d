using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Duplex.Realtime.Client;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime;

/// <summary>What the transports use of the client: its routes, requests, the application's buffer.</summary>
public sealed partial class RealtimeClient
{
    /// <summary>A route of the endpoint with the session: <c>{base}/{route}?v=1&amp;session=S[&amp;ack=N][&amp;wait=0]</c>.</summary>
    internal Uri Route(string route, ClientSession session, long? ack = null, bool waitZero = false)
    {
        var url = new StringBuilder(_base.Length + 64);
        url.Append(_base).Append('/').Append(route).Append("?v=1&session=").Append(Uri.EscapeDataString(session.Id));
        if (ack is { } n)
        {
            url.Append("&ack=").Append(n.ToString(CultureInfo.InvariantCulture));
        }

        if (waitZero)
        {
            url.Append("&wait=0");
        }

        return new Uri(url.ToString());
    }

    internal Uri WebSocketUri(ClientSession session)
    {
        string http = Route("ws", session, session.Received).AbsoluteUri;
        return new Uri((http.StartsWith("https:", StringComparison.Ordinal) ? "wss:" : "ws:") + http[(http.IndexOf(':', StringComparison.Ordinal) + 1)..]);
    }

    /// <summary>A request with the client's Origin and headers, counted.</summary>
    internal HttpRequestMessage NewRequest(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri)
        {
            Version = Options.HttpVersion,
            VersionPolicy = OverHttp2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
        };
        if (Options.Origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", Options.Origin);
        }

        foreach ((string name, string value) in Options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        Statistics.AddHttpRequest();
        return request;
    }

    /// <summary>
    /// Hands a server message to the application, once and in order: a duplicate is dropped, a
    /// gap refused (false); a piggybacked acknowledgement is taken (false when out of range). Waits
    /// while the application's buffer is full.
    /// </summary>
    internal async ValueTask<bool> DeliverAsync(ClientSession session, Envelope message, CancellationToken cancellationToken)
    {
        if (message.Ack is { } ack && !session.Acknowledge(ack))
        {
            return false;
        }

        switch (session.Judge(message.Sequence))
        {
            case Sessions.InboxVerdict.Duplicate:
                return true;
            case Sessions.InboxVerdict.Gap:
                return false;
        }

        if (message.Type == EnvelopeType.Channel)
        {
            // docs/PROTOCOL.md §10: numbered like a message, handed to the channels, never to ReceiveAsync.
            await TakeChannelAsync(session, message, cancellationToken).ConfigureAwait(false);
            session.Delivered(message.Sequence);
            return true;
        }

        // The payload is the envelope's own array (a copy of the frame for binary on WebSocket).
        await _inbound.Writer.WriteAsync(new RealtimeMessage(message.PayloadType, message.Payload), cancellationToken).ConfigureAwait(false);
        session.Delivered(message.Sequence);
        return true;
    }

    internal async Task PostCloseAsync(ClientSession session, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = NewRequest(HttpMethod.Post, Route("close", session));
        request.Content = new ByteArrayContent([]);
        using HttpResponseMessage response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<Stream> ConnectTcpAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Statistics.AddTcpConnection();
        return new CountingStream(new NetworkStream(socket, ownsSocket: true), Statistics);
    }
}
