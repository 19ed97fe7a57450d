using System.Globalization;
using System.Text;
using Duplex.Protocol.Connection;

namespace Duplex.Protocol.Extensions;

/// <summary>
/// The negotiated permessage-deflate agreement (RFC 7692 §7.1): whether each side resets its
/// compressor after every message, and the largest window each side compresses with.
/// </summary>
public sealed record PerMessageDeflateParameters
{
    /// <summary>Creates an agreement.</summary>
    /// <param name="serverNoContextTakeover">The server resets its compressor after each message (§7.1.1.1).</param>
    /// <param name="clientNoContextTakeover">The client resets its compressor after each message (§7.1.1.2).</param>
    /// <param name="serverMaxWindowBits">The server's largest window, 8 to 15 (§7.1.2.1).</param>
    /// <param name="clientMaxWindowBits">The client's largest window, 8 to 15 (§7.1.2.2).</param>
    /// <exception cref="ArgumentOutOfRangeException">A window size is outside 8 to 15.</exception>
    public PerMessageDeflateParameters(
        bool serverNoContextTakeover = false,
        bool clientNoContextTakeover = false,
        int serverMaxWindowBits = PerMessageDeflate.MaxWindowBits,
        int clientMaxWindowBits = PerMessageDeflate.MaxWindowBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(serverMaxWindowBits, PerMessageDeflate.MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(serverMaxWindowBits, PerMessageDeflate.MaxWindowBits);
        ArgumentOutOfRangeException.ThrowIfLessThan(clientMaxWindowBits, PerMessageDeflate.MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clientMaxWindowBits, PerMessageDeflate.MaxWindowBits);
        ServerNoContextTakeover = serverNoContextTakeover;
        ClientNoContextTakeover = clientNoContextTakeover;
        ServerMaxWindowBits = serverMaxWindowBits;
        ClientMaxWindowBits = clientMaxWindowBits;
    }

    /// <summary>The server resets its compressor after each message, so the client may reset its decompressor.</summary>
    public bool ServerNoContextTakeover { get; }

    /// <summary>The client resets its compressor after each message, so the server may reset its decompressor.</summary>
    public bool ClientNoContextTakeover { get; }

    /// <summary>The largest LZ77 window (a power of two) the server compresses with; 15 when not negotiated.</summary>
    public int ServerMaxWindowBits { get; }

    /// <summary>The largest LZ77 window (a power of two) the client compresses with; 15 when not negotiated.</summary>
    public int ClientMaxWindowBits { get; }

    /// <summary>
    /// The agreement as a Sec-WebSocket-Extensions element, leaving out what is the default
    /// (a window of 15): e.g. <c>permessage-deflate; client_no_context_takeover; server_max_window_bits=10</c>.
    /// </summary>
    public string ToHeaderValue()
    {
        var builder = new StringBuilder(PerMessageDeflate.ExtensionName);
        if (ServerNoContextTakeover)
        {
            builder.Append("; ").Append(PerMessageDeflateNegotiation.ServerNoContextTakeoverName);
        }

        if (ClientNoContextTakeover)
        {
            builder.Append("; ").Append(PerMessageDeflateNegotiation.ClientNoContextTakeoverName);
        }

        if (ServerMaxWindowBits < PerMessageDeflate.MaxWindowBits)
        {
            builder.Append("; ").Append(PerMessageDeflateNegotiation.ServerMaxWindowBitsName).Append('=')
                .Append(ServerMaxWindowBits.ToString(CultureInfo.InvariantCulture));
        }

        if (ClientMaxWindowBits < PerMessageDeflate.MaxWindowBits)
        {
            builder.Append("; ").Append(PerMessageDeflateNegotiation.ClientMaxWindowBitsName).Append('=')
                .Append(ClientMaxWindowBits.ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The compressor for messages this endpoint sends: the window and context rule the
    /// agreement gives <paramref name="role"/>, the level and memory level from <paramref name="options"/>.
    /// </summary>
    /// <param name="role">Which end this endpoint is.</param>
    /// <param name="options">This endpoint's options (level, memory level).</param>
    public MessageDeflater CreateDeflater(Role role, PerMessageDeflateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return role == Role.Server
            ? new MessageDeflater(ServerMaxWindowBits, options.CompressionLevel, options.MemoryLevel, ServerNoContextTakeover)
            : new MessageDeflater(ClientMaxWindowBits, options.CompressionLevel, options.MemoryLevel, ClientNoContextTakeover);
    }

    /// <summary>The decompressor for messages this endpoint receives, sized to the peer's window.</summary>
    /// <param name="role">Which end this endpoint is.</param>
    public MessageInflater CreateInflater(Role role) => role == Role.Server
        ? new MessageInflater(ClientMaxWindowBits, ClientNoContextTakeover)
        : new MessageInflater(ServerMaxWindowBits, ServerNoContextTakeover);
}
