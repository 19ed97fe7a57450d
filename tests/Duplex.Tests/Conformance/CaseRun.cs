using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Duplex.Tests.Support;

namespace Duplex.Tests.Conformance;

/// <summary>
/// One conformance case against one Duplex end, judged the way the Autobahn|Testsuite judges it:
/// the events that arrive before the close must equal the case's expected list exactly; the close
/// must come from the expected end (closedByMe) with one of the expected codes; and TCP must be
/// closed by the server after the closing handshake — the Duplex server must drop it by itself,
/// while the Duplex client must wait for the (fake) server to drop it rather than drop it first.
/// </summary>
internal sealed class CaseRun : IAsyncDisposable
{
    /// <summary>How long any one expected event may take to arrive.</summary>
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the fake server watches, after the closing handshake, for a Duplex client that
    /// drops TCP itself instead of waiting for the server: on loopback such a drop shows within
    /// a millisecond, while a conforming client waits (up to its close timeout, 5 s).
    /// </summary>
    public static readonly TimeSpan DropProbe = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long the Duplex server may take to close TCP after the closing handshake; the suite's
    /// client waits 1 s before it drops the connection itself (reported as not strict).
    /// </summary>
    public static readonly TimeSpan ServerDropTimeout = TimeSpan.FromSeconds(2);

    private readonly IEchoHost? _server;
    private readonly RawWebSocketServer? _fakeServer;
    private readonly WebSocketConnection? _client;
    private Task<Exception?>? _agent;

    private CaseRun(Side side, RawPeer peer, IEchoHost? server, RawWebSocketServer? fakeServer, WebSocketConnection? client)
    {
        Side = side;
        Peer = peer;
        _server = server;
        _fakeServer = fakeServer;
        _client = client;
    }

    public Side Side { get; }

    /// <summary>The fuzzing end: a masking client (server cases) or an unmasked fake server (client cases).</summary>
    public RawPeer Peer { get; }

    /// <summary>Everything but the close received so far, in order.</summary>
    public List<WireEvent> Received { get; } = [];

    /// <summary>The Duplex client under test (client cases only).</summary>
    public WebSocketConnection? Client => _client;

    /// <summary>What the agent loop of a Duplex client threw, if anything (client cases only; known once the loop has ended).</summary>
    public Exception? AgentError { get; private set; }

    public static async Task<CaseRun> StartAsync(Side side)
    {
        if (side != Side.Client)
        {
            IEchoHost server = await EchoHosts.StartAsync(side, new WebSocketConnectionOptions
            {
                MaxMessageSize = 32 * 1024 * 1024,

                // The fuzzer counts every frame it gets: nothing unsolicited may be sent.
                KeepAliveInterval = Timeout.InfiniteTimeSpan,
            });
            try
            {
                RawPeer peer = await ConnectRawClientAsync(server.Port);
                return new CaseRun(side, peer, server, null, null);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        var fake = new RawWebSocketServer();
        try
        {
            // The same options as `duplex autobahn-agent`.
            var options = new WebSocketClientOptions
            {
                UseEnvironmentProxy = false,
                WebSocket = new WebSocketConnectionOptions
                {
                    MaxMessageSize = 64L * 1024 * 1024,
                    KeepAliveInterval = Timeout.InfiniteTimeSpan,
                },
            };
            Task<WebSocketConnection> connecting = WebSocketClient.ConnectAsync(fake.Uri, options, Bounded.Token());
            RawPeer peer = await fake.AcceptAsync();
            WebSocketConnection client = await connecting.Within("the Duplex client to connect");
            var run = new CaseRun(side, peer, null, fake, client);
            run._agent = AutobahnAgent.EchoUntilClosedAsync(client);
            return run;
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    private static async Task<RawPeer> ConnectRawClientAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Bounded.Default);
        var peer = new RawPeer(socket, actsAsClient: true);
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        string request = $"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await peer.SendAsync(Encoding.ASCII.GetBytes(request));
        string head = await peer.ReadHttpHeadAsync();
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        return peer;
    }

    /// <summary>
    /// Reads events until <paramref name="expected"/> more have arrived and checks them, in order,
    /// against the expected ones (a close, or TCP closing, before that fails the case).
    /// </summary>
    public async Task ExpectEventsAsync(params WireEvent[] expected)
    {
        int before = Received.Count;
        for (int i = 0; i < expected.Length; i++)
        {
            WireEvent? ev = await Peer.ReadEventAsync(EventTimeout, $"event {i + 1} of {WireEvent.Describe(expected)} (got {WireEvent.Describe(Received.Skip(before))})");
            if (ev is null || ev.Kind == WireEventKind.Close)
            {
                string how = ev is null ? "closed TCP" : $"sent a close ({ev})";
                Assert.Fail($"{Side}: the endpoint {how} after {WireEvent.Describe(Received.Skip(before))}; expected {WireEvent.Describe(expected)} first.");
            }

            Received.Add(ev);
            if (!ev.SameAs(expected[i]))
            {
                Assert.Fail($"{Side}: events differ: got {WireEvent.Describe(Received.Skip(before))}, expected {WireEvent.Describe(expected)}.");
            }
        }
    }

    /// <summary>Checks that nothing arrives (no frame, no close, no TCP close) for <paramref name="window"/>.</summary>
    public async Task ExpectSilenceAsync(TimeSpan window, string why)
    {
        ProbeResult result = await Peer.ProbeAsync(window);
        if (result != ProbeResult.Silent)
        {
            string what = result == ProbeResult.Closed ? "closed TCP" : "sent data";
            Assert.Fail($"{Side}: the endpoint {what} too early: {why}.");
        }
    }

    /// <summary>
    /// Autobahn's usual ending (closedByMe, code 1000, clean): the expected events arrive, the
    /// fuzzer then closes with 1000, and the endpoint must answer with 1000 and nothing else.
    /// </summary>
    public async Task EchoThenCloseAsync(params WireEvent[] expected)
    {
        await ExpectEventsAsync(expected);
        await Peer.SendCloseAsync(1000);
        await ExpectCloseAsync(closedByMe: true, [1000], Received.ToArray());
    }

    /// <summary>
    /// The endpoint must fail the connection itself (closedByMe false) with one of
    /// <paramref name="codes"/>, after exactly the events in <paramref name="before"/> and
    /// within <paramref name="within"/> (for fail-fast cases nothing more is sent meanwhile).
    /// </summary>
    public Task ExpectFailureAsync(int[] codes, WireEvent[] before, TimeSpan? within = null) =>
        ExpectCloseAsync(closedByMe: false, codes, before, within);

    /// <summary>The case has sent its own close (closedByMe): the answer must carry one of <paramref name="codes"/>.</summary>
    public Task ExpectCloseReplyAsync(int[] codes, params WireEvent[] before) =>
        ExpectCloseAsync(closedByMe: true, codes, before);

    private async Task ExpectCloseAsync(bool closedByMe, int[] codes, WireEvent[] before, TimeSpan? within = null)
    {
        string expectation = string.Join(" or ", codes.Select(c => c.ToString(CultureInfo.InvariantCulture)));
        WireEvent? close = null;
        while (close is null)
        {
            WireEvent? ev;
            try
            {
                ev = await Peer.ReadEventAsync(within ?? EventTimeout, $"a close frame with {expectation}");
            }
            catch (TimeoutException ex)
            {
                Assert.Fail($"{Side}: NON-STRICT/FAILED: {ex.Message} Received so far: {WireEvent.Describe(Received)}.");
                throw;
            }

            if (ev is null)
            {
                Assert.Fail($"{Side}: the endpoint closed TCP without a close frame (expected {expectation}); received {WireEvent.Describe(Received)}.");
            }

            if (ev.Kind == WireEventKind.Close)
            {
                close = ev;
            }
            else
            {
                Received.Add(ev);
            }
        }

        if (!WireEvent.SameLists(Received, before))
        {
            Assert.Fail($"{Side}: events before the close differ: got {WireEvent.Describe(Received)}, expected {WireEvent.Describe(before)}.");
        }

        if (!codes.Contains(close.CloseCode))
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{Side}: WRONG CODE: the close carried {close.CloseCode}, expected {expectation}."));
        }

        if (!closedByMe)
        {
            // The endpoint started the closing handshake: answer it, as any conforming peer would.
            await Peer.SendAsync(Peer.Frame(8, RawPeer.ClosePayload(close.CloseCode, [])));
        }

        await ExpectTcpCloseAfterHandshakeAsync();
    }

    /// <summary>After the closing handshake: the server closes TCP; never the client first.</summary>
    public async Task ExpectTcpCloseAfterHandshakeAsync()
    {
        if (Side != Side.Client)
        {
            ProbeResult result = await Peer.ProbeAsync(ServerDropTimeout);
            switch (result)
            {
                case ProbeResult.Silent:
                    Assert.Fail($"Server: the Duplex server did not close TCP within {ServerDropTimeout.TotalSeconds} s of the closing handshake (the client would have to drop it: not strict).");
                    break;
                case ProbeResult.Data:
                    Assert.Fail("Server: the Duplex server sent data after its close frame.");
                    break;
            }

            return;
        }

        ProbeResult probe = await Peer.ProbeAsync(DropProbe);
        switch (probe)
        {
            case ProbeResult.Closed:
                Assert.Fail("Client: the Duplex client closed TCP itself right after the closing handshake instead of waiting for the server to close it.");
                break;
            case ProbeResult.Data:
                Assert.Fail("Client: the Duplex client sent data after its close frame.");
                break;
        }

        Peer.CloseTcp();
        AgentError = await _agent!.Within("the Duplex client's echo loop to end after the server closed TCP", TimeSpan.FromSeconds(10));
        if (AgentError is not null)
        {
            Assert.Fail($"Client: the echo loop failed: {AgentError}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync();
        _client?.Abort();
        if (_agent is not null)
        {
            await _agent.WaitAsync(Bounded.Default);
        }

        if (_fakeServer is not null)
        {
            await _fakeServer.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
