namespace Duplex.Protocol.Frames;

/// <summary>The frame opcodes of RFC 6455 §5.2 (and §11.8).</summary>
public enum Opcode : byte
{
    /// <summary>%x0: a continuation frame of a fragmented message.</summary>
    Continuation = 0x0,

    /// <summary>%x1: the first frame of a text message.</summary>
    Text = 0x1,

    /// <summary>%x2: the first frame of a binary message.</summary>
    Binary = 0x2,

    /// <summary>%x8: a connection close (control frame).</summary>
    Close = 0x8,

    /// <summary>%x9: a ping (control frame).</summary>
    Ping = 0x9,

    /// <summary>%xA: a pong (control frame).</summary>
    Pong = 0xA,
}

/// <summary>Helpers over <see cref="Opcode"/> that follow RFC 6455 §5.2 and §5.5.</summary>
public static class OpcodeRules
{
    /// <summary>Control frames have opcodes whose most significant bit is 1 (RFC 6455 §5.5).</summary>
    public static bool IsControl(Opcode opcode) => ((byte)opcode & 0x8) != 0;

    /// <summary>Whether the opcode is one RFC 6455 defines; %x3-7 and %xB-F are reserved.</summary>
    public static bool IsDefined(Opcode opcode) => opcode is Opcode.Continuation or Opcode.Text or Opcode.Binary
        or Opcode.Close or Opcode.Ping or Opcode.Pong;
}
