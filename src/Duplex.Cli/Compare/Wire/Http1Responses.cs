using System.Buffers;
using Duplex.Cli.Relay;
using Duplex.Protocol.Http;

namespace Duplex.Cli.Compare.Wire;

/// <summary>
/// Follows the HTTP/1.1 responses a server sends on one connection, without I/O, to know when one
/// is in flight: from its first byte until its end (RFC 9112 §6.3: none for 1xx, 204, 304 or a
/// HEAD, a Content-Length, the last chunk, or the connection's end). An interim 1xx other than 101
/// is not a response in flight; after a 101 the rest of the connection is one response in flight
/// for good. Responses are matched to the requests told by <see cref="Expect"/>, in order.
/// </summary>
internal sealed class Http1Responses
{
    private readonly HttpHeadBuffer _head = new();
    private readonly Queue<PendingRequest> _requests = new();
    private readonly Action<bool> _upgradeAnswered;
    private HttpBodySkipper _body;
    private State _state = State.Head;

    /// <param name="upgradeAnswered">Told of the final answer to a request that asked for an upgrade: true for 101 (the connection switched), false for a refusal.</param>
    public Http1Responses(Action<bool> upgradeAnswered)
    {
        _upgradeAnswered = upgradeAnswered;
    }

    private enum State
    {
        Head,
        Body,
        Switched,
        Ended,
    }

    /// <summary>Whether a response is in flight now.</summary>
    public bool InFlight => _state is State.Body or State.Switched || (_state == State.Head && !_head.IsEmpty);

    /// <summary>Whether a 101 switched the connection to another protocol.</summary>
    public bool Switched => _state == State.Switched;

    /// <summary>Whether bytes that are not an HTTP response ended the following (nothing is in flight after that).</summary>
    public bool NotHttp { get; private set; }

    /// <summary>Responses read whole (interim ones and a 101 included).</summary>
    public long Responses { get; private set; }

    /// <summary>A request went out: its response is the next one not yet matched.</summary>
    public void Expect(HttpRequestHead request) =>
        _requests.Enqueue(new PendingRequest(request.Method == "HEAD", request.Headers.Contains("Upgrade")));

    /// <summary>Takes the next bytes the server sent.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty && _state is State.Head or State.Body)
        {
            int used;
            OperationStatus status;
            if (_state == State.Body)
            {
                status = _body.Skip(bytes, out used);
                if (status == OperationStatus.Done)
                {
                    _state = State.Head;
                }
            }
            else
            {
                status = _head.TakeResponse(bytes, out HttpResponseHead? head, out used);
                if (head is not null)
                {
                    Start(head);
                }
            }

            if (status == OperationStatus.InvalidData || used == 0)
            {
                NotHttp = status == OperationStatus.InvalidData;
                _state = State.Ended;
                return;
            }

            bytes = bytes[used..];
        }
    }

    /// <summary>The connection ended: a response delimited by the close is complete.</summary>
    public void End() => _state = State.Ended;

    private void Start(HttpResponseHead head)
    {
        Responses++;
        if (head.StatusCode == 101)
        {
            _requests.TryDequeue(out _);
            _state = State.Switched;
            _upgradeAnswered(true);
            return;
        }

        if (head.StatusCode is >= 100 and < 200)
        {
            return;
        }

        _requests.TryDequeue(out PendingRequest request);
        _body = HttpBodySkipper.ForResponse(head, request.Head);
        _state = _body.IsDone ? State.Head : State.Body;
        if (request.Upgrade)
        {
            _upgradeAnswered(false);
        }
    }

    private readonly record struct PendingRequest(bool Head, bool Upgrade);
}
