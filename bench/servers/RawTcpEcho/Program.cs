// The ceiling for the echo benchmarks: a TCP echo server with no framing at all. Each
// connection reads into one buffer and writes back what it read, as it arrives.
//
//   RawTcpEcho PORT            echo each read at once (cut-through)
//   RawTcpEcho PORT SIZE       echo whole messages of SIZE bytes: read all SIZE bytes, then write
//                              them (store-and-forward, as any message-based server must: the
//                              ceiling for a WebSocket server echoing messages of that size)
using System.Net;
using System.Net.Sockets;

int port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 9003;
int messageSize = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
listener.Listen(512);
Console.WriteLine($"LISTENING {((IPEndPoint)listener.LocalEndPoint!).Port}");
while (true)
{
    Socket socket = await listener.AcceptAsync();
    socket.NoDelay = true;
    _ = messageSize > 0 ? EchoMessagesAsync(socket, messageSize) : EchoAsync(socket);
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

static async Task EchoMessagesAsync(Socket socket, int size)
{
    using (socket)
    {
        byte[] buffer = new byte[size];
        try
        {
            while (true)
            {
                int count = 0;
                while (count < size)
                {
                    int read = await socket.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    count += read;
                }

                await socket.SendAsync(buffer, SocketFlags.None);
            }
        }
        catch (SocketException)
        {
        }
    }
}
