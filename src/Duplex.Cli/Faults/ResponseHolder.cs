using System.Buffers;
using Duplex.Cli.Relay;
using Duplex.Protocol.Http;

namespace Duplex.Cli.Faults;

/// <summary>
/// What a buffering gateway does to a stream of HTTP/1.1 responses, on bytes: each response is
/// held until it is complete — its head, then a Content-Length body, a chunked body through its
/// last chunk (RFC 9112 §7.1), nothing for 1xx, 204 and 304, or a body that ends with the
/// connection — and then released whole. 1xx interim responses go at once; after a 101 every
/// byte goes as it comes (the connection is no longer HTTP). Bytes that are not HTTP are
/// released as they are, as a gateway that gives up would.
/// </summary>
internal sealed class ResponseHolder
{
    private readonly ArrayBufferWriter<byte> _pending = new();
    private readonly int _maxHeld;
    private State _state = State.Head;
    private int _responseEnd;
    private int _bodyStart;
    private HttpBodySkipper _body;

    public ResponseHolder(int maxHeld)
    {
        _maxHeld = maxHeld;
    }

    private enum State
    {
        Head,
        Body,
        UntilClose,
        Raw,
    }

    /// <summary>Responses released whole so far.</summary>
    public int Released { get; private set; }

    /// <summary>Whether a response is being held now.</summary>
    public bool Holding => _pending.WrittenCount > 0 && _state != State.Raw;

    /// <summary>Takes bytes from the server; writes what may go to the client now into <paramref name="release"/>. False when a response grew past the bound (the caller gives up on the connection).</summary>
    public bool Accept(ReadOnlySpan<byte> bytes, IBufferWriter<byte> release)
    {
        if (_state == State.Raw)
        {
            release.Write(bytes);
            return true;
        }

        _pending.Write(bytes);
        if (_pending.WrittenCount > _maxHeld)
        {
            return false;
        }

        while (Step(release))
        {
        }

        return true;
    }

    /// <summary>The server closed: a response delimited by the close is complete; release what is held.</summary>
    public void End(IBufferWriter<byte> release)
    {
        if (_pending.WrittenCount > 0)
        {
            release.Write(_pending.WrittenSpan);
            _pending.Clear();
            Released++;
        }
    }

    /// <summary>One step of the state machine; true when it made progress and may make more.</summary>
    private bool Step(IBufferWriter<byte> release)
    {
        ReadOnlySpan<byte> pending = _pending.WrittenSpan;
        switch (_state)
        {
            case State.Head:
                System.Buffers.OperationStatus status = HttpHeadParser.TryParseResponse(pending, HttpLimits.Default, out HttpResponseHead? head, out int consumed, out _);
                if (status == System.Buffers.OperationStatus.NeedMoreData)
                {
                    return false;
                }

                if (status != System.Buffers.OperationStatus.Done || head is null)
                {
                    _state = State.Raw;
                    ReleaseAll(release);
                    return false;
                }

                return StartBody(head, consumed, release);
            case State.Body:
                System.Buffers.OperationStatus body = _body.Skip(pending[_bodyStart..], out int used);
                _bodyStart += used;
                if (body == System.Buffers.OperationStatus.NeedMoreData)
                {
                    // Consumed input is kept (it is part of the held response); only the position moves.
                    return false;
                }

                if (body != System.Buffers.OperationStatus.Done)
                {
                    _state = State.Raw;
                    ReleaseAll(release);
                    return false;
                }

                _responseEnd = _bodyStart;
                ReleaseResponse(release);
                return true;
            default:
                return false;
        }
    }

    private bool StartBody(HttpResponseHead head, int headLength, IBufferWriter<byte> release)
    {
        if (head.StatusCode == 101)
        {
            // The connection switches protocols: nothing after the head is HTTP.
            _state = State.Raw;
            ReleaseAll(release);
            return false;
        }

        if (head.StatusCode is >= 100 and < 200)
        {
            // Interim responses go at once: the client may be waiting for 100 Continue.
            _responseEnd = headLength;
            release.Write(_pending.WrittenSpan[..headLength]);
            Drop(headLength);
            return true;
        }

        _bodyStart = headLength;
        _body = HttpBodySkipper.ForResponse(head, toHeadRequest: false);
        if (_body.IsDone)
        {
            _responseEnd = headLength;
            ReleaseResponse(release);
            return true;
        }

        _state = _body.UntilClose ? State.UntilClose : State.Body;
        return _state == State.Body;
    }

    private void ReleaseResponse(IBufferWriter<byte> release)
    {
        release.Write(_pending.WrittenSpan[.._responseEnd]);
        Drop(_responseEnd);
        Released++;
        _state = State.Head;
        _bodyStart = 0;
        _body = default;
    }

    private void ReleaseAll(IBufferWriter<byte> release)
    {
        release.Write(_pending.WrittenSpan);
        _pending.Clear();
    }

    private void Drop(int count)
    {
        byte[] rest = _pending.WrittenSpan[count..].ToArray();
        _pending.Clear();
        _pending.Write(rest);
    }
}
