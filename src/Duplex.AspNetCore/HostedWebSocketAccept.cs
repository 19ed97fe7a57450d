using Duplex.Protocol.Extensions;
using Duplex.Protocol.Handshake;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Duplex.AspNetCore;

/// <summary>
/// Opens a WebSocket on Kestrel with Duplex's own handshake checks and engine: over HTTP/1.1 by
/// the upgrade (RFC 6455 §4.2, a 101 and the stream Kestrel hands over), over HTTP/2 by the
/// extended CONNECT (RFC 8441, a 200 and the stream's DATA frames); permessage-deflate (RFC 7692)
/// on both. ASP.NET Core's own WebSocket middleware is not involved.
/// </summary>
internal static partial class HostedWebSocketAccept
{
    private const string WebSocketToken = "websocket";

    public static bool IsWebSocketRequest(HttpContext context)
    {
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            return string.Equals(connect.Protocol, WebSocketToken, StringComparison.OrdinalIgnoreCase);
        }

        return context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
            && context.Request.Headers.Upgrade.Any(value => value is not null && value.Split(',').Any(token => token.Trim().Equals(WebSocketToken, StringComparison.OrdinalIgnoreCase)));
    }

    public static async ValueTask<WebSocketConnection> AcceptAsync(HostedHttpExchange exchange, WebSocketEndpointOptions options, DuplexHostOptions host, ILogger log, CancellationToken cancellationToken)
    {
        HttpContext context = exchange.Context;
        if (exchange.HasStarted)
        {
            throw new InvalidOperationException("The response has already started: the request can no longer be upgraded.");
        }

        IHttpExtendedConnectFeature? connect = context.Features.Get<IHttpExtendedConnectFeature>();
        bool extended = connect is { IsExtendedConnect: true };
        IHttpUpgradeFeature? upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (!extended && upgrade is not { IsUpgradableRequest: true })
        {
            throw new InvalidOperationException("The request is not a WebSocket upgrade (see IsWebSocketRequest).");
        }

        var head = new HttpRequestHead(exchange.Method, exchange.Target, exchange.Version, exchange.Headers);
        HandshakeRejection rejection = extended
            ? ServerHandshake.ValidateExtendedConnect(head, connect!.Protocol, out ServerHandshakeRequest? accepted)
            : ServerHandshake.Validate(head, out accepted);
        if (rejection != HandshakeRejection.None || accepted is null)
        {
            foreach (KeyValuePair<string, string> field in ServerHandshake.RejectionHeaders(rejection))
            {
                exchange.ResponseHeaders.Set(field.Key, field.Value);
            }

            await RefuseAsync(exchange, log, ServerHandshake.StatusCodeFor(rejection), ServerHandshake.Describe(rejection)).ConfigureAwait(false);
        }

        if (options.Accept is { } accept
            && !accept(new WebSocketUpgradeContext(head, accepted!.Origin, accepted.OfferedSubProtocols, exchange.RemoteEndPoint, context.User)))
        {
            await RefuseAsync(exchange, log, 403, "This origin or client may not connect here.").ConfigureAwait(false);
        }

        string? subProtocol = ServerHandshake.SelectSubProtocol(accepted!.OfferedSubProtocols, options.SubProtocols);
        WebSocketConnectionOptions connection = options.WebSocket ?? host.WebSocket;
        string? extensions = null;
        if (connection.Compression is { } deflate && accepted.OfferedExtensions.Count > 0)
        {
            // RFC 7692 §5: the first offer the server can honour is accepted; the others are declined.
            _ = PerMessageDeflateNegotiation.Accept(accepted.OfferedExtensions, deflate, out extensions);
        }

        // The connection lives as long as the app wants it: Kestrel's body limits are for requests.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }

        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            minRate.MinDataRate = null;
        }

        UpgradedStream upgraded;
        IHeaderDictionary response = context.Response.Headers;
        if (extended)
        {
            foreach (KeyValuePair<string, string> field in ServerHandshake.ExtendedConnectAcceptHeaders(subProtocol, extensions))
            {
                response[field.Key] = field.Value;
            }

            upgraded = new UpgradedStream(await connect!.AcceptAsync().ConfigureAwait(false), context.Abort);
        }
        else
        {
            response.Upgrade = WebSocketToken;
            response.Connection = "Upgrade";
            response.SecWebSocketAccept = WebSocketKey.ComputeAccept(accepted.Key);
            if (subProtocol is not null)
            {
                response.SecWebSocketProtocol = subProtocol;
            }

            if (extensions is not null)
            {
                response.SecWebSocketExtensions = extensions;
            }

            upgraded = new UpgradedStream(await upgrade!.UpgradeAsync().ConfigureAwait(false), context.Abort);
        }

        exchange.MarkUpgraded();
        LogAccepted(log, exchange.RemoteEndPoint, exchange.Path, exchange.Version);
        return WebSocketConnection.CreateFromStream(upgraded, new WebSocketStreamOptions
        {
            IsServer = true,
            SubProtocol = subProtocol,
            Extensions = extensions,
            Connection = connection,
            RemoteEndPoint = exchange.RemoteEndPoint,
            LoggerFactory = host.LoggerFactory,
            MeterFactory = host.MeterFactory,
            Request = options.RetainRequest ? head : null,
            User = context.User,

            // The server ends its half first (RFC 6455 §7.1.1): an upgraded TCP connection is the
            // WebSocket's alone and goes when the request ends (see UpgradedStream); an HTTP/2
            // stream ends with END_STREAM, the connection's other streams untouched.
            CloseOutput = extended
                ? async () =>
                {
                    await context.Response.CompleteAsync().ConfigureAwait(false);
                    upgraded.EndInput();
                }
                : () =>
                {
                    upgraded.EndInput();
                    return ValueTask.CompletedTask;
                },
        });
    }

    private static async ValueTask RefuseAsync(HostedHttpExchange exchange, ILogger log, int status, string reason)
    {
        LogRefused(log, exchange.RemoteEndPoint, exchange.Path, status, reason);
        if (exchange.Version.StartsWith("HTTP/1", StringComparison.Ordinal))
        {
            exchange.ResponseHeaders.Set("Connection", "close");
        }

        await exchange.RespondTextAsync(status, reason).ConfigureAwait(false);
        throw new WebSocketHandshakeException("The WebSocket handshake was refused; the refusal has been answered.", status);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "WebSocket accepted from {Remote} at {Path} over {Version}")]
    private static partial void LogAccepted(ILogger logger, System.Net.EndPoint? remote, string path, string version);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "WebSocket handshake from {Remote} at {Path} refused with {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, System.Net.EndPoint? remote, string path, int status, string reason);
}
