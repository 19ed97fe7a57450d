namespace Duplex.Realtime.Protocol;

/// <summary>What an envelope is (docs/PROTOCOL.md §3): the value of its <c>t</c> field.</summary>
public enum EnvelopeType : byte
{
    /// <summary><c>m</c>: an application message, numbered.</summary>
    Message = (byte)'m',

    /// <summary><c>a</c>: an acknowledgement alone.</summary>
    Ack = (byte)'a',

    /// <summary><c>o</c>: the first envelope on every transport connection (server to client).</summary>
    Open = (byte)'o',

    /// <summary><c>h</c>: a heartbeat (server to client, WebSocket).</summary>
    Heartbeat = (byte)'h',

    /// <summary><c>c</c>: the session is over.</summary>
    Close = (byte)'c',

    /// <summary><c>ch</c>: a channel operation or publication, numbered like a message (docs/PROTOCOL.md §10).</summary>
    Channel = (byte)'C',
}
