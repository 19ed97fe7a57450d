using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Duplex.Cli.Hosting;

/// <summary>
/// The Kestrel endpoint of one protocol on the shared plain-http port of a
/// <see cref="PriorKnowledgeTransport"/>: Kestrel binds one per protocol, the transport hands each
/// the connections that speak it.
/// </summary>
internal sealed class ProtocolEndPoint(IPEndPoint address, HttpProtocols protocols) : EndPoint
{
    public HttpProtocols Protocols { get; } = protocols;

    /// <summary>The address and port, as Kestrel names the endpoint in its messages.</summary>
    public override string ToString() => address.ToString();
}
