// The ceiling for the echo benchmarks: a TCP echo server with no framing at all. Each
// connection reads into one buffer and writes back what it read.
using System.Net;
using System.Net.Sockets;

int port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 9003;
using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
listener.Listen(512);
Console.WriteLine($"LISTENING {((IPEndPoint)listener.LocalEndPoint!).Port}");
while (true)
{
    Socket socket = await listener.AcceptAsync();
    socket.NoDelay = true;
    _ = EchoAsync(socket);
}

static async Task EchoAsync(Socket socket)
{
    using (socket)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (SocketException)
        {
        }
    }
}
