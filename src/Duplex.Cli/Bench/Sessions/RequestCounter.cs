using System.Buffers;
using System.Globalization;
using Duplex.Protocol.Http;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// Counts the HTTP/1.1 requests in the bytes a client sends on one connection, without I/O: each
/// request head (RFC 9112 §2), then its body skipped by Content-Length or through its last chunk
/// (§7.1). A request that asks for an upgrade (a WebSocket, RFC 6455 §4.1) is the last one: what
/// follows is not HTTP. Bytes that are not HTTP end the counting too (<see cref="NotHttp"/>).
/// Each request is counted by kind: its method and the last segment of its path
/// (<c>GET poll</c>, <c>POST send</c>, <c>POST negotiate</c>).
/// </summary>
internal sealed class RequestCounter
{
    private readonly ArrayBufferWriter<byte> _head = new();
    private readonly Dictionary<string, long> _byKind = new(StringComparer.Ordinal);
    private State _state = State.Head;
    private long _bodyRemaining;
    private ChunkedDecoder _chunked;

    private enum State
    {
        Head,
        FixedBody,
        ChunkedBody,
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

    /// <summary>Takes the next bytes the client sent.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            switch (_state)
            {
                case State.Opaque:
                    return;
                case State.FixedBody:
                    int take = (int)Math.Min(_bodyRemaining, bytes.Length);
                    _bodyRemaining -= take;
                    bytes = bytes[take..];
                    if (_bodyRemaining == 0)
                    {
                        _state = State.Head;
                    }

                    break;
                case State.ChunkedBody:
                    OperationStatus chunk = _chunked.Skip(bytes, out int used);
                    bytes = bytes[used..];
                    if (chunk == OperationStatus.Done)
                    {
                        _state = State.Head;
                    }
                    else if (chunk != OperationStatus.NeedMoreData)
                    {
                        GiveUp();
                    }
                    else if (used == 0)
                    {
                        return;
                    }

                    break;
                default:
                    bytes = FeedHead(bytes);
                    break;
            }
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

    /// <summary>Buffers head bytes until the head is whole; returns what follows it.</summary>
    private ReadOnlySpan<byte> FeedHead(ReadOnlySpan<byte> bytes)
    {
        int before = _head.WrittenCount;
        _head.Write(bytes);
        OperationStatus status = HttpHeadParser.TryParseRequest(_head.WrittenSpan, HttpLimits.Default, out HttpRequestHead? head, out int consumed, out _);
        if (status == OperationStatus.NeedMoreData)
        {
            if (_head.WrittenCount > HttpLimits.Default.MaxHeadSize)
            {
                GiveUp();
            }

            return [];
        }

        _head.Clear();
        if (status != OperationStatus.Done || head is null)
        {
            GiveUp();
            return [];
        }

        Count(head);
        ReadOnlySpan<byte> rest = bytes[(consumed - before)..];
        if (head.Headers.Contains("Upgrade"))
        {
            Upgraded = true;
            _state = State.Opaque;
            return [];
        }

        if (head.Headers.ContainsToken("Transfer-Encoding", "chunked"))
        {
            _state = State.ChunkedBody;
            _chunked = new ChunkedDecoder(HttpLimits.Default, long.MaxValue);
        }
        else if (head.Headers.GetFirst("Content-Length", out _) is { } text
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long length) && length > 0)
        {
            _state = State.FixedBody;
            _bodyRemaining = length;
        }

        return rest;
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
