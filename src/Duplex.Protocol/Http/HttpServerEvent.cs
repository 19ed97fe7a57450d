namespace Duplex.Protocol.Http;

/// <summary>What an <see cref="HttpServerConnection"/> made of the bytes it was given.</summary>
public enum HttpServerEvent
{
    /// <summary>All input was used without finishing anything; feed more.</summary>
    NeedMoreData,

    /// <summary>A request head was accepted: <see cref="HttpServerConnection.Request"/> and <see cref="HttpServerConnection.Framing"/> describe it.</summary>
    RequestHead,

    /// <summary>The output span is full and more body bytes are waiting; call again with room.</summary>
    OutputFull,

    /// <summary>The request body ended (the bytes written in this call, if any, are its last).</summary>
    EndOfBody,

    /// <summary>The peer closed the connection cleanly between requests.</summary>
    EndOfStream,

    /// <summary>The request broke a rule: <see cref="HttpServerConnection.Rejection"/> says which; answer it and close.</summary>
    Rejected,
}
