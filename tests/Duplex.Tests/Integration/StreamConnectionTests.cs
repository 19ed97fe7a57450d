using System.Net;
using System.Net.Sockets;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Handshake;
using Duplex.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Duplex.Tests.Integration;

/// <summary>
/// Connections whose opening handshake was done elsewhere: over a connected socket, over a plain
/// stream, and over the stream Kestrel hands over after its own 101 (how a second host runs
/// Duplex's protocol engine).
/// </summary>
public sealed class StreamConnectionTests
{
    private static async Task<(Socket Server, Socket Client)> SocketPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task<Socket> accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Bounded.Default);
        return (await accept.WaitAsync(Bounded.Default), client);
    }

    private static async Task EchoThenCloseAsync(WebSocketConnection client, WebSocketConnection server)
    {
        Task echo = EchoServer.EchoAsync(server, Bounded.Token());
        await client.SendTextAsync("over a handed-over stream", Bounded.Token());
        await client.SendBinaryAsync(new byte[70_000], Bounded.Token());
        await client.PingAsync("p"u8.ToArray(), Bounded.Token());

        Assert.Equal("over a handed-over stream", (await client.ReceiveAsync(Bounded.Token()).Within("the text echo")).Text);
        WebSocketMessage binary = await client.ReceiveAsync(Bounded.Token()).Within("the binary echo");
        Assert.Equal(MessageType.Binary, binary.Type);
        Assert.Equal(70_000, binary.Data.Length);

        await client.CloseAsync(CloseStatus.NormalClosure, "done", Bounded.Token()).Within("the closing handshake");
        await echo.Within("the server's receive loop to end");
        Assert.Equal(CloseStatus.NormalClosure, server.CloseStatus);
        Assert.Equal("done", server.CloseStatusDescription);
        Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
        await server.Completion.Within("the server end to be released");
        await client.Completion.Within("the client end to be released");
    }

    [Fact]
    public async Task Two_ends_over_a_socket_pair_exchange_messages_and_close()
    {
        (Socket serverSocket, Socket clientSocket) = await SocketPairAsync();
        await using WebSocketConnection server = WebSocketConnection.CreateFromSocket(serverSocket, new WebSocketStreamOptions { IsServer = true });
        await using WebSocketConnection client = WebSocketConnection.CreateFromSocket(clientSocket, new WebSocketStreamOptions { IsServer = false });

        Assert.True(server.IsServer);
        Assert.False(client.IsServer);
        await EchoThenCloseAsync(client, server);
    }

    [Fact]
    public async Task A_server_over_a_plain_stream_takes_the_bytes_read_past_the_handshake()
    {
        (Socket serverSocket, Socket clientSocket) = await SocketPairAsync();

        // A masked "Hello" (RFC 6455 §5.7) read together with the handshake by whoever did it.
        byte[] early = Convert.FromHexString("818537fa213d7f9f4d5158");
        await using WebSocketConnection server = WebSocketConnection.CreateFromStream(
            new NetworkStream(serverSocket, ownsSocket: true),
            new WebSocketStreamOptions { IsServer = true, BufferedInput = early });
        await using WebSocketConnection client = WebSocketConnection.CreateFromSocket(clientSocket, new WebSocketStreamOptions { IsServer = false });

        Assert.Equal("Hello", (await server.ReceiveAsync(Bounded.Token()).Within("the early message")).Text);
        await EchoThenCloseAsync(client, server);
    }

    [Fact]
    public async Task Agreed_permessage_deflate_is_taken_from_the_extensions_value()
    {
        (Socket serverSocket, Socket clientSocket) = await SocketPairAsync();
        const string agreed = "permessage-deflate; server_no_context_takeover; client_max_window_bits=10";
        await using WebSocketConnection server = WebSocketConnection.CreateFromSocket(serverSocket, new WebSocketStreamOptions { IsServer = true, Extensions = agreed });
        await using WebSocketConnection client = WebSocketConnection.CreateFromSocket(clientSocket, new WebSocketStreamOptions { IsServer = false, Extensions = agreed });

        Assert.Equal(agreed, server.Extensions);
        await EchoThenCloseAsync(client, server);
    }

    [Theory]
    [InlineData("x-unknown")]
    [InlineData("permessage-deflate; server_max_window_bits=99")]
    [InlineData("permessage-deflate, permessage-deflate")]
    public void Extensions_other_than_one_valid_permessage_deflate_agreement_are_refused(string extensions)
    {
        using var stream = new MemoryStream();

        var ex = Assert.Throws<ArgumentException>(() => WebSocketConnection.CreateFromStream(stream, new WebSocketStreamOptions { IsServer = true, Extensions = extensions }));
        Assert.StartsWith("WebSocketStreamOptions.Extensions:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kestrel_upgrade_stream_runs_duplexs_protocol_with_compression()
    {
        // ASP.NET Core does the HTTP part (its 101 through IHttpUpgradeFeature); Duplex's
        // Sans-I/O handshake checks the request and picks the answer; Duplex's engine runs on the stream.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication app = builder.Build();
        var serverClose = new TaskCompletionSource<CloseStatus?>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Run(async context =>
        {
            var headers = new HttpHeaders();
            foreach (var header in context.Request.Headers)
            {
                foreach (string? value in header.Value)
                {
                    headers.Add(header.Key, value ?? string.Empty);
                }
            }

            var head = new HttpRequestHead(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Protocol, headers);
            Assert.Equal(Protocol.Handshake.HandshakeRejection.None, ServerHandshake.Validate(head, out ServerHandshakeRequest? request));
            PerMessageDeflateNegotiation.Accept(request!.OfferedExtensions, new PerMessageDeflateOptions(), out string? extensions);
            Assert.NotNull(extensions);

            context.Response.Headers.Upgrade = "websocket";
            context.Response.Headers.Connection = "Upgrade";
            context.Response.Headers["Sec-WebSocket-Accept"] = WebSocketKey.ComputeAccept(request.Key);
            context.Response.Headers["Sec-WebSocket-Extensions"] = extensions;
            Stream stream = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();

            await using WebSocketConnection ws = WebSocketConnection.CreateFromStream(stream, new WebSocketStreamOptions
            {
                IsServer = true,
                Extensions = extensions,
                Connection = new WebSocketConnectionOptions { Compression = new PerMessageDeflateOptions() },
            });
            await EchoServer.EchoAsync(ws, context.RequestAborted);
            serverClose.TrySetResult(ws.CloseStatus);
        });
        await app.StartAsync(Bounded.Token());
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        await using WebSocketConnection client = await WebSocketClient.ConnectAsync(
            new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/echo"),
            new WebSocketClientOptions { WebSocket = new WebSocketConnectionOptions { Compression = new PerMessageDeflateOptions() } },
            Bounded.Token());
        Assert.StartsWith("permessage-deflate", client.Extensions, StringComparison.Ordinal);

        string text = string.Concat(Enumerable.Repeat("compressible ", 500));
        await client.SendTextAsync(text, Bounded.Token());
        Assert.Equal(text, (await client.ReceiveAsync(Bounded.Token()).Within("the compressed echo through Kestrel")).Text);
        await client.CloseAsync(CloseStatus.NormalClosure, "bye", Bounded.Token()).Within("the closing handshake through Kestrel");
        Assert.Equal(CloseStatus.NormalClosure, await serverClose.Task.Within("the handler to see the close"));
        Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
    }
}
