namespace Duplex.Tests.Conformance;

/// <summary>
/// Group 13 (permessage-deflate parameters) against the Duplex client: the fake server answers
/// the client's offer with each case's accept function, and the client, offering with its
/// default <see cref="Duplex.PerMessageDeflateOptions"/> (which include
/// client_max_window_bits; the suite's server takes client_no_context_takeover as always
/// accepted), must take the answer and compress as it says.
/// </summary>
public sealed class Group13CompressionClientTests : Group13CompressionTests
{
    protected override Side Side => Side.Client;
}
