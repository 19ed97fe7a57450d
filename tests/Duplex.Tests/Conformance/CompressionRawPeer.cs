using System.Globalization;

namespace Duplex.Tests.Conformance;

/// <summary>One data message or control frame as it came off the wire, with whether its first frame had RSV1 set.</summary>
internal sealed record CompressionWireMessage(WireEventKind Kind, bool Compressed, byte[] Payload, int Frames)
{
    /// <summary>For a control frame: " (inside a data message)" when it interrupted one.</summary>
    public string Note { get; init; } = string.Empty;

    public override string ToString() => Kind is WireEventKind.Close or WireEventKind.Ping or WireEventKind.Pong
        ? new WireEvent(Kind, Payload) + Note
        : string.Create(CultureInfo.InvariantCulture, $"{Kind}({Payload.Length} bytes on the wire, {Frames} frame(s), RSV1 {(Compressed ? "set" : "clear")})");
}

// The reading side of RawPeer when permessage-deflate is negotiated (RFC 7692 §6): RSV1 is
// allowed, and required to be meaningful, on the first frame of a data message only.
internal sealed partial class RawPeer
{
    /// <summary>
    /// Reads the next data message (its frames joined, the payload still compressed when RSV1
    /// was set) or control frame; null when TCP closed first. Checks each frame against the
    /// role rules and RFC 7692 §6.1: RSV1 only on the first frame of a data message, never on
    /// a continuation or control frame; RSV2 and RSV3 never. Throws <see cref="TimeoutException"/>
    /// when nothing completes in time.
    /// </summary>
    public async Task<CompressionWireMessage?> ReadCompressionMessageAsync(TimeSpan timeout, string what)
    {
        string who = _actsAsClient ? "the server" : "the client";
        using var cts = new CancellationTokenSource(timeout);
        WireEventKind? kind = null;
        bool compressed = false;
        int frames = 0;
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                (bool fin, int rsv, int opcode, bool masked, byte[] payload)? frame = await ReadFrameAsync(cts.Token);
                if (frame is not { } f)
                {
                    return null;
                }

                if (f.masked == _actsAsClient)
                {
                    Assert.Fail(_actsAsClient ? "The server sent a masked frame (RFC 6455 §5.1 forbids it)." : "The client sent an unmasked frame (RFC 6455 §5.1 requires masking).");
                }

                if ((f.rsv & 0x3) != 0)
                {
                    Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{who} sent a frame with RSV2/RSV3 set (RSV bits {f.rsv}); only permessage-deflate (RSV1) was negotiated."));
                }

                bool rsv1 = (f.rsv & 0x4) != 0;
                switch (f.opcode)
                {
                    case 0:
                        if (kind is null)
                        {
                            Assert.Fail($"{who} sent a continuation frame with no message to continue.");
                        }

                        if (rsv1)
                        {
                            Assert.Fail($"{who} set RSV1 on a continuation frame; RFC 7692 §6.1 allows it on the first frame of a message only.");
                        }

                        break;
                    case 1:
                    case 2:
                        if (kind is not null)
                        {
                            Assert.Fail($"{who} started a new message inside a fragmented one.");
                        }

                        kind = f.opcode == 1 ? WireEventKind.Text : WireEventKind.Binary;
                        compressed = rsv1;
                        break;
                    case 8:
                    case 9:
                    case 10:
                        if (rsv1 || !f.fin || f.payload.Length > 125)
                        {
                            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{who} sent an invalid control frame (opcode {f.opcode}, fin {f.fin}, RSV1 {rsv1}, {f.payload.Length} bytes)."));
                        }

                        WireEventKind control = f.opcode == 8 ? WireEventKind.Close : f.opcode == 9 ? WireEventKind.Ping : WireEventKind.Pong;
                        string inside = kind is null ? string.Empty : " (inside a data message)";
                        return new CompressionWireMessage(control, false, f.payload, 1) { Note = inside };
                    default:
                        Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{who} sent a frame with the reserved opcode {f.opcode}."));
                        break;
                }

                message.Write(f.payload);
                frames++;
                if (f.fin)
                {
                    return new CompressionWireMessage(kind!.Value, compressed, message.ToArray(), frames);
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.###} s waiting for {what}.");
        }
    }
}
