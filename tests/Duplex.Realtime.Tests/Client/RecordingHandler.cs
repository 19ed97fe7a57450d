using System.Collections.Concurrent;
using System.Web;

namespace Duplex.Realtime.Tests.Client;

/// <summary>
/// Between the client and the network: records the body of every <c>send</c> with its session id,
/// and while <see cref="Away"/> fails every new request at once (the network is gone).
/// </summary>
internal sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private volatile bool _away;

    public bool Away
    {
        get => _away;
        set => _away = value;
    }

    public ConcurrentQueue<(string Session, string Body)> Sends { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_away)
        {
            throw new HttpRequestException("The network is away (test).");
        }

        if (request.RequestUri!.AbsolutePath.EndsWith("/send", StringComparison.Ordinal) && request.Content is not null)
        {
            string session = HttpUtility.ParseQueryString(request.RequestUri.Query)["session"] ?? string.Empty;
            Sends.Enqueue((session, await request.Content.ReadAsStringAsync(cancellationToken)));
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
