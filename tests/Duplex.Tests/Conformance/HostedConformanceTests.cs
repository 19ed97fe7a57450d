namespace Duplex.Tests.Conformance;

// The server conformance groups, every case, against Duplex's engine hosted in ASP.NET Core
// (Duplex.AspNetCore on Kestrel over HTTP/1.1): the streams Kestrel hands over must make no
// difference to a single byte on the wire.
public sealed class Group1FramingHostedTests : Group1FramingTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group2PingPongHostedTests : Group2PingPongTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group3ReservedBitsHostedTests : Group3ReservedBitsTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group4ReservedOpcodesHostedTests : Group4ReservedOpcodesTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group5FragmentationHostedTests : Group5FragmentationTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group6Utf8HostedTests : Group6Utf8Tests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group7CloseHostedTests : Group7CloseTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group9LimitsHostedTests : Group9LimitsTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group10MiscHostedTests : Group10MiscTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group12CompressionHostedTests : Group12CompressionTests
{
    protected override Side Side => Side.HostedServer;
}

public sealed class Group13CompressionHostedTests : Group13CompressionTests
{
    protected override Side Side => Side.HostedServer;
}
