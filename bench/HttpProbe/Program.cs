using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Duplex;

// Measures the built-in HTTP/1.1 server in one process over loopback. From the repository root:
//
//   dotnet run -c Release --project bench/HttpProbe -- allocations [requests]
//
// bytes allocated per keep-alive request (the whole process, with clients that allocate nothing
// per request), for the demo page from web/ and for a handler answering text;
//
//   dotnet run -c Release --project bench/HttpProbe -- idle [connections]
//
// the GC heap an idle keep-alive connection holds: a second process opens the connections and
// sends one GET / on each, and this one compares its heap (after full collections) before and after.
string mode = args.Length > 0 ? args[0] : "allocations";
int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
string web = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "web"));
byte[] page = File.ReadAllBytes(Path.Combine(web, "index.html"));

if (mode == "hold")
{
    // The client side of "idle": PORT CONNECTIONS; holds them until stdin closes.
    int port = int.Parse(args[1], CultureInfo.InvariantCulture);
    List<Socket> held = Connect(port, int.Parse(args[2], CultureInfo.InvariantCulture));
    Console.WriteLine("holding");
    await Console.In.ReadToEndAsync().ConfigureAwait(false);
    held.ForEach(s => s.Dispose());
    return;
}

await using var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, Backlog = 4096 });
server.MapStaticFiles(web);
server.MapGet("/text", (exchange, ct) => exchange.RespondTextAsync(200, "hello", ct));
await server.StartAsync().ConfigureAwait(false);
int serverPort = server.LocalEndPoint.Port;

if (mode == "idle")
{
    int connections = count > 0 ? count : 10_000;
    long before = Heap();
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
    foreach (string argument in new[] { typeof(Program).Assembly.Location, "hold", serverPort.ToString(CultureInfo.InvariantCulture), connections.ToString(CultureInfo.InvariantCulture) }.Skip(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? 0 : 1))
    {
        info.ArgumentList.Add(argument);
    }

    using Process client = Process.Start(info)!;
    string? line = await client.StandardOutput.ReadLineAsync().ConfigureAwait(false);
    if (line != "holding" || server.ConnectionCount != connections)
    {
        throw new InvalidOperationException($"the client said {line}; the server holds {server.ConnectionCount} connections");
    }

    long after = Heap();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle: {connections} keep-alive connections after one GET / each: GC heap {before / 1024.0:F0} KiB -> {after / 1024.0:F0} KiB, {(after - before) / (double)connections:F0} bytes each"));
    client.StandardInput.Close();
    await client.WaitForExitAsync().ConfigureAwait(false);
    return;
}

int requests = count > 0 ? count : 200_000;
foreach (string path in new[] { "/", "/text" })
{
    List<Socket> sockets = Connect(serverPort, 4);
    byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{serverPort}\r\n\r\n");
    byte[] buffer = new byte[page.Length * 2];
    int responseLength = RoundTrip(sockets[0], request, buffer, 0);
    var run = new Thread(() =>
    {
        for (int i = 0; i < 20_000; i++)
        {
            RoundTrip(sockets[i % sockets.Count], request, buffer, responseLength);
        }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < requests; i++)
        {
            RoundTrip(sockets[i % sockets.Count], request, buffer, responseLength);
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        long after = GC.GetTotalAllocatedBytes(precise: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocations: GET {path}: {(after - before) / (double)requests:F1} bytes per request over {requests} requests ({responseLength}-byte responses, {requests / elapsed.TotalSeconds:F0} requests/s one at a time)"));
    });
    run.Start();
    run.Join();
    sockets.ForEach(s => s.Dispose());
}

static long Heap()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    return GC.GetTotalMemory(forceFullCollection: true);
}

static List<Socket> Connect(int port, int connections)
{
    var sockets = new List<Socket>(connections);
    byte[] request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    byte[] buffer = new byte[1 << 16];
    for (int i = 0; i < connections; i++)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        RoundTrip(socket, request, buffer, 0);
        sockets.Add(socket);
    }

    return sockets;
}

// Sends one request and reads its whole response (of a known length, or found from its Content-Length).
static int RoundTrip(Socket socket, byte[] request, byte[] buffer, int responseLength)
{
    socket.Send(request);
    int received = 0;
    while (responseLength == 0 || received < responseLength)
    {
        received += socket.Receive(buffer, received, buffer.Length - received, SocketFlags.None);
        if (responseLength == 0)
        {
            int end = buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                string head = Encoding.ASCII.GetString(buffer, 0, end);
                int at = head.IndexOf("Content-Length: ", StringComparison.Ordinal) + "Content-Length: ".Length;
                responseLength = end + 4 + int.Parse(head[at..].Split('\r')[0], CultureInfo.InvariantCulture);
            }
        }
    }

    return responseLength;
}
