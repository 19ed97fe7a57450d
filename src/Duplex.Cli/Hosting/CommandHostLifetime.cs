using Microsoft.Extensions.Hosting;

namespace Duplex.Cli.Hosting;

/// <summary>
/// A host lifetime that leaves Ctrl+C and SIGTERM to the command (which stops the app through its
/// token) instead of the console lifetime's own handlers, and prints nothing.
/// </summary>
internal sealed class CommandHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
