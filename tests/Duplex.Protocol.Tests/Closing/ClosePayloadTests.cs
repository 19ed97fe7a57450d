using System.Text;
using Duplex.Protocol.Closing;
using Duplex.Protocol.Tests.Connection;

namespace Duplex.Protocol.Tests.Closing;

/// <summary>RFC 6455 §5.5.1: a close body is a big-endian code and a UTF-8 reason, within 125 bytes.</summary>
public class ClosePayloadTests
{
    private static byte[] Write(ushort code, string? reason)
    {
        byte[] buffer = new byte[125];
        int written = ClosePayload.Write(buffer, code, reason);
        return buffer[..written];
    }

    [Theory]
    [InlineData(1000, "03 E8")]
    [InlineData(1001, "03 E9")]
    [InlineData(3000, "0B B8")]
    [InlineData(4999, "13 87")]
    public void Code_is_written_big_endian(int code, string hex)
    {
        Assert.Equal(Hex.Bytes(hex), Write((ushort)code, null));
    }

    [Fact]
    public void Empty_reason_writes_the_code_alone()
    {
        Assert.Equal(Hex.Bytes("03 E8"), Write(1000, string.Empty));
    }

    [Fact]
    public void Reason_follows_the_code_as_UTF8()
    {
        Assert.Equal(Hex.Bytes("03 E8 62 79 65"), Write(1000, "bye"));
        Assert.Equal(Hex.Bytes("03 E9 C3 A9"), Write(1001, "é"));
    }

    [Fact]
    public void Reason_of_123_bytes_fits_whole()
    {
        byte[] payload = Write(1000, new string('a', 123));

        Assert.Equal(125, payload.Length);
    }

    [Fact]
    public void Reason_longer_than_123_bytes_is_cut_to_123()
    {
        byte[] payload = Write(1000, new string('a', 200));

        Assert.Equal(125, payload.Length);
        Assert.Equal(new string('a', 123), Encoding.UTF8.GetString(payload.AsSpan(2)));
    }

    [Fact]
    public void Reason_of_200_e_acute_is_cut_at_a_code_point_boundary_to_122_bytes()
    {
        byte[] payload = Write(1000, new string('é', 200));

        Assert.Equal(2 + 122, payload.Length);
        Assert.Equal(Hex.Bytes("03 E8"), payload[..2]);
        Assert.Equal(new string('é', 61), Encoding.UTF8.GetString(payload.AsSpan(2)));
    }

    [Fact]
    public void Reason_of_four_byte_code_points_is_cut_at_a_code_point_boundary()
    {
        // "abc" then 31 × U+1F600 (4 bytes each): 3 + 30 × 4 = 123 fit; the 31st does not.
        string reason = "abc" + string.Concat(Enumerable.Repeat("\U0001F600", 31));

        byte[] payload = Write(1000, reason);

        Assert.Equal(2 + 123, payload.Length);
        Assert.Equal("abc" + string.Concat(Enumerable.Repeat("\U0001F600", 30)), Encoding.UTF8.GetString(payload.AsSpan(2)));
    }

    [Fact]
    public void Cut_reason_is_valid_UTF8_that_the_receiver_accepts()
    {
        byte[] body = Write(1000, "x" + new string('é', 200));
        byte[] frame = Hex.Concat([0x88, (byte)body.Length], body);

        var client = ReceiverDriver.Client();
        client.Feed(frame);

        Assert.Equal([Received.Close(1000, "x" + new string('é', 61))], client.Events);
    }
}
