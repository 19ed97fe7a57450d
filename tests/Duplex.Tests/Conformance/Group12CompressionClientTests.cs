namespace Duplex.Tests.Conformance;

/// <summary>
/// Group 12 (permessage-deflate, default offer) against the Duplex client: a fake server
/// accepts the client's offer as the suite's server does and drives the echo loop of
/// <c>duplex autobahn-agent</c> with compressed messages.
/// </summary>
public sealed class Group12CompressionClientTests : Group12CompressionTests
{
    protected override Side Side => Side.Client;
}
