namespace Duplex.Cli.Hosting;

/// <summary>A server of <c>duplex serve</c> could not listen (the port is taken, the address is not this machine's); the message says why.</summary>
internal sealed class ServeListenException : Exception
{
    public ServeListenException()
    {
    }

    public ServeListenException(string message)
        : base(message)
    {
    }

    public ServeListenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
