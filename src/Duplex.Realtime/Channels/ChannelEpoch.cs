using System.Buffers.Text;
using System.Security.Cryptography;

namespace Duplex.Realtime.Channels;

/// <summary>
/// Epochs: the name of one continuous run of a channel's numbers. A new one is made whenever a
/// channel's stream starts afresh (a new process with in-memory history, a wiped history), so that
/// a subscriber's old numbers are never taken for numbers of the new stream.
/// </summary>
public static class ChannelEpoch
{
    /// <summary>A new epoch: 12 base64url characters of 9 random bytes (72 bits: never equal by chance).</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[9];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
