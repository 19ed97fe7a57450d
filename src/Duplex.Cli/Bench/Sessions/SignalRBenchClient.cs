using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// A bench client on SignalR's .NET client (<see cref="HubConnection"/>), pinned to one
/// <see cref="HttpTransportType"/>, against bench/SignalRAnchor's hub: it calls the hub's
/// <c>Up(string)</c> to send and is called on <c>Down(string)</c>.
/// </summary>
internal sealed class SignalRBenchClient : IBenchClient
{
    /// <summary>Where bench/SignalRAnchor serves its hub.</summary>
    public const string HubPath = "/hub";

    private readonly HubConnection _connection;
    private long _sequence;
    private long _sendFailures;

    public SignalRBenchClient(Uri hub, HttpTransportType transport, DownstreamCheck received)
    {
        Received = received;
        _connection = new HubConnectionBuilder().WithUrl(hub, transport).Build();
        _connection.On<string>("Down", text => Received.Take(text.AsSpan()));
    }

    public DownstreamCheck Received { get; }

    public long SendFailures => Interlocked.Read(ref _sendFailures);

    public Task ConnectAsync(CancellationToken cancellationToken) => _connection.StartAsync(cancellationToken);

    public long NextSequence() => ++_sequence;

    public async ValueTask SendAsync(string text, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.SendAsync("Up", text, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or HttpRequestException)
        {
            Interlocked.Increment(ref _sendFailures);
        }
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _connection.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or HttpRequestException or OperationCanceledException)
        {
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
