namespace Duplex.Protocol.Tests.Connection;

/// <summary>Writes test inputs as the hex dumps RFC 6455 uses ("81 05 48 65 6c 6c 6f").</summary>
internal static class Hex
{
    /// <summary>Parses hex digits, ignoring spaces.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>The bytes 0, 1, 2, ... of the given length, wrapping at 256.</summary>
    public static byte[] Counting(int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)i;
        }

        return bytes;
    }

    /// <summary>Concatenates byte sequences.</summary>
    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
