namespace Duplex;

/// <summary>
/// Answers one HTTP request. <paramref name="cancellationToken"/> is
/// <see cref="HttpExchange.RequestAborted"/>: it fires when the client goes away, the server
/// stops, or the body does not arrive in time. When the returned task completes, the host
/// completes the response: a handler that wrote nothing answers an empty 200; one that threw
/// before starting its response answers 500 (or the status of an
/// <see cref="HttpRequestRejectedException"/>); one that threw after starting it has its
/// connection closed, so the client sees the response cut short rather than complete.
/// </summary>
public delegate Task HttpHandler(HttpExchange exchange, CancellationToken cancellationToken);
