namespace Duplex;

/// <summary>How a connection's socket waits until it can be read or written.</summary>
public enum SocketEngine
{
    /// <summary>
    /// Duplex's own readiness engine where it exists (Linux on x64 and arm64: one epoll instance
    /// and thread per direction for the process, about 100 bytes per waiting socket), and .NET's
    /// socket waits elsewhere. Setting the environment variable <c>DUPLEX_SOCKET_ENGINE=dotnet</c>
    /// makes <see cref="Auto"/> mean <see cref="DotNet"/> for the whole process, so that the
    /// portable path can be tested on Linux without changing code.
    /// </summary>
    Auto,

    /// <summary>.NET's own socket waits (a pending zero-byte receive, about 0.5 KB per idle connection).</summary>
    DotNet,
}
