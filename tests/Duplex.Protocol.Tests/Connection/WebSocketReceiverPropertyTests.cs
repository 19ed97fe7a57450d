using CsCheck;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>
/// The receiver's result must not depend on how the bytes are cut into reads or how much output
/// room each call has: any conversation gives exactly its messages, control frames and close.
/// </summary>
public class WebSocketReceiverPropertyTests
{
    [Fact]
    public void Conversation_in_one_read_gives_exactly_its_messages_and_control_frames()
    {
        Conversation.Generate(maxSteps: 8).Sample(conversation =>
        {
            Assert.Equal(conversation.Expected, ReceiverDriver.Server().Feed(conversation.Wire));
        }, iter: 2000);
    }

    [Fact]
    public void Conversation_split_into_two_reads_at_every_possible_point_gives_the_same_result()
    {
        Conversation.Generate(maxSteps: 4).Sample(conversation =>
        {
            byte[] wire = conversation.Wire;
            for (int at = 0; at <= wire.Length; at++)
            {
                var server = ReceiverDriver.Server();
                server.Feed(wire.AsSpan(0, at));
                server.Feed(wire.AsSpan(at));
                Assert.Equal(conversation.Expected, server.Events);
            }
        }, iter: 200);
    }

    [Fact]
    public void Conversation_in_reads_of_random_sizes_gives_the_same_result()
    {
        Gen.Select(Conversation.Generate(maxSteps: 8), Gen.Int[1, 40].Array[1, 8]).Sample((conversation, chunkSizes) =>
        {
            var server = ReceiverDriver.Server();
            server.FeedInChunks(conversation.Wire, chunkSizes);
            Assert.Equal(conversation.Expected, server.Events);
        }, iter: 2000);
    }

    [Fact]
    public void Conversation_with_small_output_spans_gives_the_same_result()
    {
        Gen.Select(Conversation.Generate(maxSteps: 8), Gen.Int[1, 40].Array[1, 8], Gen.Int[1, 16]).Sample((conversation, chunkSizes, outputSize) =>
        {
            var server = new ReceiverDriver(new Duplex.Protocol.Connection.ReceiverOptions(), outputSize);
            server.FeedInChunks(conversation.Wire, chunkSizes);
            Assert.Equal(conversation.Expected, server.Events);
        }, iter: 2000);
    }

    [Fact]
    public void Conversation_in_one_read_with_an_output_of_one_byte_gives_the_same_result()
    {
        Conversation.Generate(maxSteps: 8).Sample(conversation =>
        {
            var server = new ReceiverDriver(new Duplex.Protocol.Connection.ReceiverOptions(), outputSize: 1);
            server.Feed(conversation.Wire);
            Assert.Equal(conversation.Expected, server.Events);
        }, iter: 1000);
    }
}
