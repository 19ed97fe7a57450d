namespace Duplex.Realtime.Tests.Client;

/// <summary>
/// Between the client and the network: the first request that <paramref name="lose"/> picks goes
/// to the server and is answered there, and then its answer is lost on the way back (the client
/// sees a broken connection), as when a connection drops just after the server wrote its answer.
/// </summary>
internal sealed class LosingHandler(HttpMessageHandler inner, Func<HttpRequestMessage, HttpResponseMessage, bool> lose) : DelegatingHandler(inner)
{
    private int _lost;

    /// <summary>Set once an answer was lost.</summary>
    public TaskCompletionSource<string> Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        if (Volatile.Read(ref _lost) == 0)
        {
            // Read the whole answer first: the server is done with the request.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            if (lose(request, response) && Interlocked.Exchange(ref _lost, 1) == 0)
            {
                string body = await response.Content.ReadAsStringAsync(cancellationToken);
                response.Dispose();
                Lost.TrySetResult(body);
                throw new HttpRequestException("The answer was lost on the way back (test).");
            }
        }

        return response;
    }
}
