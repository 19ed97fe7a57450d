using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Duplex.Tests.Conformance;

/// <summary>Which Duplex end a conformance case runs against.</summary>
public enum Side
{
    /// <summary>A Duplex server with an echo handler, driven by a raw client that masks its frames.</summary>
    Server,

    /// <summary>Duplex's engine inside ASP.NET Core (Duplex.AspNetCore on Kestrel) with an echo handler, driven as <see cref="Server"/> is.</summary>
    HostedServer,

    /// <summary>A Duplex client running the echo agent loop, driven by a raw server that does not mask.</summary>
    Client,
}

/// <summary>What a conformance case observes from the endpoint under test, in the order it arrives.</summary>
internal enum WireEventKind
{
    Text,
    Binary,
    Ping,
    Pong,
    Close,
}

/// <summary>
/// One observation: a whole message (its fragments joined), a ping, a pong or a close frame. A
/// case's outcome is the list of these that arrived before the close, compared exactly.
/// </summary>
internal sealed class WireEvent
{
    public WireEvent(WireEventKind kind, byte[] payload)
    {
        Kind = kind;
        Payload = payload;
    }

    public WireEventKind Kind { get; }

    public byte[] Payload { get; }

    /// <summary>For a close frame: its status code, or 1005 when it carried none.</summary>
    public int CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 1005;

    public static WireEvent Text(string text) => new(WireEventKind.Text, Encoding.UTF8.GetBytes(text));

    public static WireEvent Text(byte[] utf8) => new(WireEventKind.Text, utf8);

    public static WireEvent Binary(byte[] data) => new(WireEventKind.Binary, data);

    public static WireEvent Pong(string payload) => new(WireEventKind.Pong, Encoding.UTF8.GetBytes(payload));

    public static WireEvent Pong(byte[] payload) => new(WireEventKind.Pong, payload);

    public bool SameAs(WireEvent other) => Kind == other.Kind && Payload.AsSpan().SequenceEqual(other.Payload);

    public static bool SameLists(IReadOnlyList<WireEvent> a, IReadOnlyList<WireEvent> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (!a[i].SameAs(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static string Describe(IEnumerable<WireEvent> events)
    {
        string joined = string.Join(", ", events.Select(e => e.ToString()));
        return $"[{joined}]";
    }

    public override string ToString()
    {
        if (Kind == WireEventKind.Close)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Close(code {CloseCode}, {Payload.Length} bytes)");
        }

        const int Shown = 24;
        string hex = Convert.ToHexString(Payload.AsSpan(0, Math.Min(Payload.Length, Shown)));
        string more = Payload.Length > Shown ? "..." : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{Kind}({Payload.Length} bytes: {hex}{more})");
    }
}
