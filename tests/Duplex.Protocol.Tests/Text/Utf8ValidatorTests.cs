using Duplex.Protocol.Text;

namespace Duplex.Protocol.Tests.Text;

/// <summary>
/// RFC 3629 validity and RFC 6455 §8.1 fail-fast behaviour, from the classic UTF-8 test corpus
/// (the cases Autobahn|Testsuite 6.x sends), with every input written out as hex bytes.
/// </summary>
public class Utf8ValidatorTests
{
    // "κόσμε", the Greek word the classic UTF-8 test file opens with.
    private const string Kosme = "CEBAE1BDB9CF83CEBCCEB5";

    private const int NoFailure = -1;

    /// <summary>Feeds one byte at a time and returns the index of the first byte Append refuses.</summary>
    internal static int FirstFailingIndexByteByByte(ReadOnlySpan<byte> bytes, out bool complete)
    {
        var validator = new Utf8Validator();
        for (int i = 0; i < bytes.Length; i++)
        {
            if (!validator.Append(bytes.Slice(i, 1)))
            {
                complete = validator.IsComplete;
                return i;
            }
        }

        complete = validator.IsComplete;
        return NoFailure;
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("41")]
    [InlineData("7F")]
    [InlineData("C280")] // U+0080, the first two-byte code point
    [InlineData("DFBF")] // U+07FF
    [InlineData("E0A080")] // U+0800, the first three-byte code point
    [InlineData("ED9FBF")] // U+D7FF, just below the surrogates
    [InlineData("EE8080")] // U+E000, just above the surrogates
    [InlineData("EFBFBD")] // U+FFFD
    [InlineData("EFBFBF")] // U+FFFF
    [InlineData("F0908080")] // U+10000, the first four-byte code point
    [InlineData("F09D849E")] // U+1D11E MUSICAL SYMBOL G CLEF
    [InlineData("F48FBFBF")] // U+10FFFF, the last code point
    [InlineData(Kosme)]
    [InlineData("48656C6C6F2D C2B5 40C39FC3B6C3A4C3BCC3A0C3A1 2D5554462D382121")] // Autobahn 6.2.1 "Hello-µ@ßöäüàá-UTF-8!!"
    public void Valid_UTF8_is_accepted_and_complete(string hex)
    {
        byte[] bytes = Hex(hex);

        var whole = new Utf8Validator();
        Assert.True(whole.Append(bytes));
        Assert.True(whole.IsComplete);

        Assert.Equal(NoFailure, FirstFailingIndexByteByByte(bytes, out bool complete));
        Assert.True(complete);
        Assert.True(Utf8Validator.IsValid(bytes));
    }

    [Theory]
    // Unexpected continuation bytes.
    [InlineData("80", 0)]
    [InlineData("BF", 0)]
    [InlineData("41 80", 1)]
    [InlineData("C280 80", 2)]
    [InlineData(Kosme + "80", 11)]
    // Overlong forms of "/" (U+002F) and the largest overlong forms.
    [InlineData("C0AF", 0)]
    [InlineData("E080AF", 1)]
    [InlineData("F08080AF", 1)]
    [InlineData("C1BF", 0)]
    [InlineData("E09FBF", 1)]
    [InlineData("F08FBFBF", 1)]
    [InlineData("C080", 0)] // overlong U+0000
    // UTF-16 surrogates, single and paired (RFC 3629 §3).
    [InlineData("EDA080", 1)]
    [InlineData("EDBFBF", 1)]
    [InlineData("EDADBFEDB080", 1)]
    [InlineData(Kosme + "EDA080", 12)]
    [InlineData(Kosme + "EDA080656469746564", 12)] // Autobahn 6.3.1
    // Above U+10FFFF.
    [InlineData("F4908080", 1)]
    [InlineData("F4BFBFBF", 1)]
    [InlineData("F5808080", 0)]
    [InlineData("F7BFBFBF", 0)]
    [InlineData("F888808080", 0)]
    [InlineData("FC8480808080", 0)]
    // Bytes that never appear in UTF-8.
    [InlineData("FE", 0)]
    [InlineData("FF", 0)]
    [InlineData("FEFF", 0)]
    [InlineData("FFFE", 0)]
    [InlineData(Kosme + "FF", 11)]
    // A truncated sequence followed by something that is not a continuation byte.
    [InlineData("C241", 1)]
    [InlineData("E0A041", 2)]
    [InlineData("E1 41", 1)]
    [InlineData("F0908041", 3)]
    [InlineData("F48FBF C280", 3)]
    [InlineData("CE BA E1 BD CF83", 4)] // Autobahn 6.4: κό with the ό cut short
    public void Invalid_UTF8_fails_at_the_first_byte_that_cannot_continue_a_valid_prefix(string hex, int failingIndex)
    {
        byte[] bytes = Hex(hex);

        Assert.Equal(failingIndex, FirstFailingIndexByteByByte(bytes, out bool complete));
        Assert.False(complete);

        // The same verdict when the bytes arrive as one frame, or as two split at the failure.
        var whole = new Utf8Validator();
        Assert.False(whole.Append(bytes));
        Assert.False(whole.IsComplete);

        var split = new Utf8Validator();
        Assert.True(split.Append(bytes.AsSpan(0, failingIndex)));
        Assert.False(split.Append(bytes.AsSpan(failingIndex)));

        Assert.False(Utf8Validator.IsValid(bytes));
    }

    [Theory]
    [InlineData("C2")]
    [InlineData("DF")]
    [InlineData("E0")]
    [InlineData("E0A0")]
    [InlineData("ED9F")]
    [InlineData("F0")]
    [InlineData("F090")]
    [InlineData("F09080")]
    [InlineData("F48FBF")]
    [InlineData(Kosme + "F4")]
    [InlineData(Kosme + "CE")]
    public void Truncated_sequence_at_the_end_is_a_valid_prefix_but_not_complete(string hex)
    {
        byte[] bytes = Hex(hex);

        var whole = new Utf8Validator();
        Assert.True(whole.Append(bytes));
        Assert.False(whole.IsComplete);

        Assert.Equal(NoFailure, FirstFailingIndexByteByByte(bytes, out bool complete));
        Assert.False(complete);

        Assert.False(Utf8Validator.IsValid(bytes));
    }

    [Fact]
    public void Empty_message_is_complete()
    {
        var validator = default(Utf8Validator);
        Assert.True(validator.IsComplete);
        Assert.True(validator.Append([]));
        Assert.True(validator.IsComplete);
    }

    [Fact]
    public void Empty_append_keeps_a_pending_code_point_pending()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.Append(Hex("F09D")));
        Assert.True(validator.Append([]));
        Assert.False(validator.IsComplete);
        Assert.True(validator.Append(Hex("849E")));
        Assert.True(validator.IsComplete);
    }

    [Fact]
    public void Validator_stays_failed_until_reset()
    {
        var validator = new Utf8Validator();
        Assert.False(validator.Append(Hex("C0")));
        Assert.True(validator.HasFailed);
        Assert.False(validator.Append(Hex("41")));
        Assert.False(validator.IsComplete);

        validator.Reset();
        Assert.False(validator.HasFailed);
        Assert.True(validator.IsComplete);
        Assert.True(validator.Append(Hex("41")));
        Assert.True(validator.IsComplete);
    }

    [Fact]
    public void Reset_discards_a_pending_code_point()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.Append(Hex("E2")));
        validator.Reset();
        Assert.True(validator.Append(Hex("41")));
        Assert.True(validator.IsComplete);
    }

    [Theory]
    [InlineData(Kosme)]
    [InlineData("F09D849E")]
    [InlineData("F48FBFBF")]
    [InlineData("41 E282AC 42 F0908080 43")]
    public void Code_point_split_across_frames_at_any_point_is_valid(string hex)
    {
        // RFC 6455 §8.1 and Autobahn 6.2.2-6.2.4: fragments may split a code point anywhere.
        byte[] bytes = Hex(hex);
        for (int first = 0; first <= bytes.Length; first++)
        {
            for (int second = first; second <= bytes.Length; second++)
            {
                var validator = new Utf8Validator();
                Assert.True(validator.Append(bytes.AsSpan(0, first)));
                Assert.True(validator.Append(bytes.AsSpan(first, second - first)));
                Assert.True(validator.Append(bytes.AsSpan(second)));
                Assert.True(validator.IsComplete);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(100)]
    public void Invalid_byte_in_the_middle_of_a_long_ASCII_frame_fails_the_frame(int position)
    {
        byte[] bytes = new byte[200];
        bytes.AsSpan().Fill((byte)'a');
        bytes[position] = 0xFF;

        var validator = new Utf8Validator();
        Assert.False(validator.Append(bytes));
        Assert.Equal(position, FirstFailingIndexByteByByte(bytes, out _));
    }

    [Theory]
    [InlineData(31, "F0")]
    [InlineData(32, "F09D")]
    [InlineData(63, "F09D84")]
    [InlineData(64, "E282")]
    [InlineData(65, "C3")]
    public void Long_frame_ending_mid_code_point_waits_for_the_next_frame(int asciiLength, string partialHex)
    {
        byte[] partial = Hex(partialHex);
        byte[] frame = new byte[asciiLength + partial.Length];
        frame.AsSpan(0, asciiLength).Fill((byte)'z');
        partial.CopyTo(frame, asciiLength);

        var validator = new Utf8Validator();
        Assert.True(validator.Append(frame));
        Assert.False(validator.IsComplete);
    }

    [Theory]
    [InlineData("E080")]
    [InlineData("EDA0")]
    [InlineData("F08F")]
    [InlineData("F490")]
    [InlineData("C1")]
    [InlineData("F5")]
    public void Long_frame_ending_in_an_impossible_prefix_fails_at_once(string partialHex)
    {
        byte[] partial = Hex(partialHex);
        byte[] frame = new byte[64 + partial.Length];
        frame.AsSpan(0, 64).Fill((byte)'z');
        partial.CopyTo(frame, 64);

        var validator = new Utf8Validator();
        Assert.False(validator.Append(frame));
    }

    [Fact]
    public void Impossible_second_byte_in_the_next_frame_fails_that_frame()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.Append(Hex(Kosme + "F4")));
        Assert.False(validator.Append(Hex("90 80 80")));
    }

    internal static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
