using System.Buffers;
using Duplex.Protocol.Frames;

namespace Duplex.Cli.Bench;

/// <summary>What a <see cref="ServerFrameParser"/> reports.</summary>
internal interface IServerFrameHandler
{
    /// <summary>A whole data message has arrived: its opcode, its length, and its first bytes (up to <see cref="ServerFrameParser.PrefixSize"/>).</summary>
    void OnMessage(Opcode opcode, long length, ReadOnlySpan<byte> prefix);

    /// <summary>A whole control frame (ping, pong, close) has arrived, with its payload.</summary>
    void OnControl(Opcode opcode, ReadOnlySpan<byte> payload);
}

/// <summary>Why a server's bytes were refused.</summary>
internal sealed class BenchProtocolException(string message) : Exception(message);

/// <summary>
/// Reads the frames a server sends (unmasked, no extensions) from a byte stream split anywhere,
/// without allocating: payloads are skipped, except the first <see cref="PrefixSize"/> bytes of
/// each data message and the payloads of control frames, which are copied to small fixed buffers.
/// </summary>
internal sealed class ServerFrameParser
{
    /// <summary>How many leading payload bytes of a data message are kept (a fan-out sequence number and timestamp).</summary>
    public const int PrefixSize = 16;

    private readonly byte[] _header = new byte[FrameHeader.MaxSize];
    private readonly byte[] _prefix = new byte[PrefixSize];
    private readonly byte[] _control = new byte[FrameHeader.MaxControlPayload];
    private int _headerFill;
    private bool _inFrame;
    private long _remaining;
    private Opcode _frameOpcode;
    private bool _frameFin;
    private int _controlFill;
    private bool _inMessage;
    private Opcode _messageOpcode;
    private long _messageLength;
    private int _prefixFill;

    /// <summary>Consumes all of <paramref name="data"/>, reporting each message and control frame that completes in it.</summary>
    /// <exception cref="BenchProtocolException">The bytes are not what an RFC 6455 server may send to a client that offered no extensions.</exception>
    public void Process(ReadOnlySpan<byte> data, IServerFrameHandler handler)
    {
        while (!data.IsEmpty)
        {
            if (!_inFrame)
            {
                FrameHeader header;
                int consumed;
                if (_headerFill == 0)
                {
                    OperationStatus status = FrameHeaderReader.TryRead(data, out header, out consumed);
                    if (status == OperationStatus.NeedMoreData)
                    {
                        data.CopyTo(_header);
                        _headerFill = data.Length;
                        return;
                    }

                    Check(status);
                    data = data[consumed..];
                }
                else
                {
                    int take = Math.Min(_header.Length - _headerFill, data.Length);
                    data[..take].CopyTo(_header.AsSpan(_headerFill));
                    OperationStatus status = FrameHeaderReader.TryRead(_header.AsSpan(0, _headerFill + take), out header, out consumed);
                    if (status == OperationStatus.NeedMoreData)
                    {
                        _headerFill += take;
                        data = data[take..];
                        continue;
                    }

                    Check(status);
                    data = data[(consumed - _headerFill)..];
                    _headerFill = 0;
                }

                StartFrame(header);
                if (_remaining == 0)
                {
                    EndFrame(handler);
                }

                continue;
            }

            int chunk = (int)Math.Min(_remaining, data.Length);
            if (OpcodeRules.IsControl(_frameOpcode))
            {
                data[..chunk].CopyTo(_control.AsSpan(_controlFill));
                _controlFill += chunk;
            }
            else if (_prefixFill < PrefixSize)
            {
                int keep = Math.Min(chunk, PrefixSize - _prefixFill);
                data[..keep].CopyTo(_prefix.AsSpan(_prefixFill));
                _prefixFill += keep;
            }

            _remaining -= chunk;
            data = data[chunk..];
            if (_remaining == 0)
            {
                EndFrame(handler);
            }
        }
    }

    private static void Check(OperationStatus status)
    {
        if (status != OperationStatus.Done)
        {
            throw new BenchProtocolException("The server sent a frame header with an invalid 64-bit length.");
        }
    }

    private void StartFrame(in FrameHeader header)
    {
        if (header.Masked)
        {
            throw new BenchProtocolException("The server sent a masked frame (RFC 6455 §5.1 forbids it).");
        }

        if (header.Rsv != 0)
        {
            throw new BenchProtocolException("The server set RSV bits, but no extension was negotiated.");
        }

        Opcode opcode = header.Opcode;
        if (OpcodeRules.IsControl(opcode))
        {
            if (!OpcodeRules.IsDefined(opcode) || !header.Fin || header.PayloadLength > FrameHeader.MaxControlPayload)
            {
                throw new BenchProtocolException($"The server sent an invalid control frame (opcode {(byte)opcode}).");
            }

            _controlFill = 0;
        }
        else if (opcode == Opcode.Continuation)
        {
            if (!_inMessage)
            {
                throw new BenchProtocolException("The server sent a continuation frame outside a message.");
            }
        }
        else if (opcode is Opcode.Text or Opcode.Binary)
        {
            if (_inMessage)
            {
                throw new BenchProtocolException("The server began a message inside another.");
            }

            _inMessage = true;
            _messageOpcode = opcode;
            _messageLength = 0;
            _prefixFill = 0;
        }
        else
        {
            throw new BenchProtocolException($"The server sent a reserved opcode {(byte)opcode}.");
        }

        _frameOpcode = opcode;
        _frameFin = header.Fin;
        _remaining = header.PayloadLength;
        if (!OpcodeRules.IsControl(opcode))
        {
            _messageLength += header.PayloadLength;
        }

        _inFrame = true;
    }

    private void EndFrame(IServerFrameHandler handler)
    {
        _inFrame = false;
        if (OpcodeRules.IsControl(_frameOpcode))
        {
            handler.OnControl(_frameOpcode, _control.AsSpan(0, _controlFill));
        }
        else if (_frameFin)
        {
            _inMessage = false;
            handler.OnMessage(_messageOpcode, _messageLength, _prefix.AsSpan(0, _prefixFill));
        }
    }
}
