using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Duplex.Cli.Hosting;

/// <summary>Where and how a server of <c>duplex serve</c> listens, whichever host carries it.</summary>
/// <param name="Address">The address to listen on.</param>
/// <param name="Port">The port; 0 picks a free one.</param>
/// <param name="Certificate">The certificate to serve TLS with; null for plain http.</param>
/// <param name="WebSocket">The options of every WebSocket accepted.</param>
internal sealed record ServeHostOptions(IPAddress Address, int Port, X509Certificate2? Certificate, WebSocketConnectionOptions WebSocket);
