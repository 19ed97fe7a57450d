using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>The negotiated agreement: its header form and which window each end's compressor and decompressor get.</summary>
public class PerMessageDeflateParametersTests
{
    [Fact]
    public void Default_agreement_is_written_without_parameters()
    {
        Assert.Equal("permessage-deflate", new PerMessageDeflateParameters().ToHeaderValue());
    }

    [Fact]
    public void Agreement_writes_only_what_differs_from_the_defaults()
    {
        Assert.Equal("permessage-deflate; client_no_context_takeover; server_max_window_bits=9", new PerMessageDeflateParameters(false, true, 9, 15).ToHeaderValue());
    }

    [Fact]
    public void Window_sizes_outside_8_to_15_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerMessageDeflateParameters(serverMaxWindowBits: 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerMessageDeflateParameters(clientMaxWindowBits: 16));
    }

    [Fact]
    public void Server_compresses_with_the_server_window_and_inflates_with_the_client_window()
    {
        var agreement = new PerMessageDeflateParameters(true, false, 10, 12);
        using MessageDeflater deflater = agreement.CreateDeflater(Role.Server, new() { CompressionLevel = 3, MemoryLevel = 5 });
        using MessageInflater inflater = agreement.CreateInflater(Role.Server);
        Assert.Equal((10, 3, 5, true), (deflater.WindowBits, deflater.Level, deflater.MemoryLevel, deflater.NoContextTakeover));
        Assert.Equal((12, false), (inflater.WindowBits, inflater.NoContextTakeover));
    }

    [Fact]
    public void Client_compresses_with_the_client_window_and_inflates_with_the_server_window()
    {
        var agreement = new PerMessageDeflateParameters(true, false, 8, 12);
        using MessageDeflater deflater = agreement.CreateDeflater(Role.Client, new());
        using MessageInflater inflater = agreement.CreateInflater(Role.Client);
        Assert.Equal((12, false), (deflater.WindowBits, deflater.NoContextTakeover));
        Assert.Equal((8, true), (inflater.WindowBits, inflater.NoContextTakeover));
    }

    [Fact]
    public void Zlib_is_available_on_this_system()
    {
        Assert.True(PerMessageDeflate.IsAvailable);
        Assert.StartsWith("1.", PerMessageDeflate.ZLibVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void Deflater_takes_windows_8_to_15_and_refuses_others()
    {
        using var window8 = new MessageDeflater(8, 6, 8, noContextTakeover: false);
        Assert.Equal(8, window8.WindowBits);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageDeflater(7, 6, 8, noContextTakeover: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageDeflater(16, 6, 8, noContextTakeover: false));
    }

    [Fact]
    public void Disposed_deflater_and_inflater_refuse_work()
    {
        var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        var inflater = new MessageInflater(15, noContextTakeover: false);
        deflater.Dispose();
        inflater.Dispose();
        Assert.Throws<ObjectDisposedException>(() => deflater.Compress("x"u8, new System.Buffers.ArrayBufferWriter<byte>()));
        Assert.Throws<ObjectDisposedException>(() => inflater.Inflate([0], new byte[1], out _, out _));
    }
}
