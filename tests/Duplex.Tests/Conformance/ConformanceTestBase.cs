using System.Text;

namespace Duplex.Tests.Conformance;

/// <summary>
/// The base of every conformance test class. A group's class runs its cases against the Duplex
/// server; the class in ClientConformanceTests.cs that derives from it runs the very same cases
/// against the Duplex client by overriding <see cref="Side"/>.
/// </summary>
public abstract class ConformanceTestBase
{
    /// <summary>Which Duplex end the cases of this class run against.</summary>
    protected virtual Side Side => Side.Server;

    private protected const int ContinuationOp = 0x0;
    private protected const int TextOp = 0x1;
    private protected const int BinaryOp = 0x2;
    private protected const int CloseOp = 0x8;
    private protected const int PingOp = 0x9;
    private protected const int PongOp = 0xA;

    private protected Task<CaseRun> StartAsync() => CaseRun.StartAsync(Side);

    private protected static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private protected static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    /// <summary><paramref name="length"/> bytes made by repeating <paramref name="pattern"/> (as Autobahn fills its big payloads).</summary>
    private protected static byte[] Pattern(byte[] pattern, int length)
    {
        var result = new byte[length];
        for (int offset = 0; offset < length; offset += pattern.Length)
        {
            pattern.AsSpan(0, Math.Min(pattern.Length, length - offset)).CopyTo(result.AsSpan(offset));
        }

        return result;
    }

    private protected static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private protected static WireEvent[] None => [];

    private protected static readonly int[] ProtocolError = [1002];

    private protected static readonly int[] InvalidPayload = [1007];

    private protected static readonly int[] Normal = [1000];
}
