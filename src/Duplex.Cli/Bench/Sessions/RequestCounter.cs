using System.Buffers;
using Duplex.Cli.Relay;
using Duplex.Protocol.Http;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// Counts the HTTP/1.1 requests in the bytes a client sends on one connection, without I/O: each
/// request head (RFC 9112 §2), then its body skipped by Content-Length or through its last chunk
/// (§7.1). A request that asks for an upgrade (a WebSocket, RFC 6455 §4.1) is the last one: what
/// follows is not HTTP, unless the server refuses it (<see cref="Resume"/>). Bytes that are not
/// HTTP end the counting too (<see cref="NotHttp"/>).
/// Each request is counted by kind: its method and the last segment of its path
/// (<c>GET poll</c>, <c>POST send</c>, <c>POST negotiate</c>).
/// </summary>
internal sealed class RequestCounter
{
    private readonly HttpHeadBuffer _head = new();
    private readonly Dictionary<string, long> _byKind = new(StringComparer.Ordinal);
    private readonly Action<HttpRequestHead>? _onHead;
    private HttpBodySkipper _body;
    private State _state = State.Head;

    /// <param name="onHead">Told of each request head as it is read whole.</param>
    public RequestCounter(Action<HttpRequestHead>? onHead = null)
    {
        _onHead = onHead;
    }

    private enum State
    {
        Head,
        Body,
        Opaque,
    }

    /// <summary>Requests whose head was read whole.</summary>
    public long Requests { get; private set; }

    /// <summary>Whether the connection asked for an upgrade (nothing after that request is counted).</summary>
    public bool Upgraded { get; private set; }

    /// <summary>Whether bytes that are not HTTP ended the counting.</summary>
    public bool NotHttp { get; private set; }

    /// <summary>Requests by kind (method and last path segment).</summary>
    public IReadOnlyDictionary<string, long> ByKind => _byKind;

    /// <summary>Takes the next bytes the client sent; returns how many of them were read as HTTP (the rest follow an upgrade, or are not HTTP).</summary>
    public int Feed(ReadOnlySpan<byte> bytes)
    {
        int length = bytes.Length;
        while (!bytes.IsEmpty && _state != State.Opaque)
        {
            int used;
            if (_state == State.Body)
            {
                OperationStatus body = _body.Skip(bytes, out used);
                if (body == OperationStatus.Done)
                {
                    _state = State.Head;
                }
                else if (body != OperationStatus.NeedMoreData || used == 0)
                {
                    GiveUp();
                }
            }
            else
            {
                used = FeedHead(bytes);
            }

            bytes = bytes[used..];
        }

        return length - bytes.Length;
    }

    /// <summary>The server refused the upgrade asked for (any final answer but 101): what follows is HTTP again.</summary>
    public void Resume()
    {
        if (Upgraded && !NotHttp)
        {
            Upgraded = false;
            _state = State.Head;
        }
    }

    /// <summary>Adds this connection's counts by kind into <paramref name="into"/>.</summary>
    public void AddTo(Dictionary<string, long> into)
    {
        foreach ((string kind, long count) in _byKind)
        {
            into[kind] = into.GetValueOrDefault(kind) + count;
        }
    }

    /// <summary>Takes head bytes; returns how many belong to the head.</summary>
    private int FeedHead(ReadOnlySpan<byte> bytes)
    {
        OperationStatus status = _head.TakeRequest(bytes, out HttpRequestHead? head, out int used);
        if (status == OperationStatus.NeedMoreData)
        {
            return used;
        }

        if (head is null)
        {
            GiveUp();
            return 0;
        }

        Count(head);
        if (head.Headers.Contains("Upgrade"))
        {
            Upgraded = true;
            _state = State.Opaque;
        }
        else
        {
            _body = HttpBodySkipper.ForRequest(head.Headers);
            _state = _body.IsDone ? State.Head : State.Body;
        }

        _onHead?.Invoke(head);
        return used;
    }

    private void Count(HttpRequestHead head)
    {
        Requests++;
        string path = head.Path.TrimEnd('/');
        string segment = path[(path.LastIndexOf('/') + 1)..];
        string kind = head.Method + " " + segment;
        _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;
    }

    private void GiveUp()
    {
        NotHttp = true;
        _state = State.Opaque;
        _head.Clear();
    }
}
