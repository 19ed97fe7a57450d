namespace Duplex.Realtime;

/// <summary>The server answered a channel request <c>refused</c> (docs/PROTOCOL.md §10): nothing of it happened.</summary>
public sealed class RealtimeChannelRefusedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public RealtimeChannelRefusedException()
        : base("The server refused the channel request.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RealtimeChannelRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public RealtimeChannelRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the server's refusal of a request on <paramref name="channel"/>.</summary>
    public RealtimeChannelRefusedException(string channel, string error, string message)
        : base($"The server refused the request on channel '{channel}': {error}: {message}")
    {
        Channel = channel;
        Error = error;
    }

    /// <summary>The channel the request named.</summary>
    public string? Channel { get; }

    /// <summary>The server's error code: <c>invalid-channel</c>, <c>forbidden</c>, <c>too-large</c>, … (docs/PROTOCOL.md §10).</summary>
    public string? Error { get; }
}
