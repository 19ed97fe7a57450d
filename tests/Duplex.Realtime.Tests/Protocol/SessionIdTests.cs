using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Tests.Protocol;

/// <summary>docs/PROTOCOL.md §1: 128 random bits, 22 base64url characters.</summary>
public class SessionIdTests
{
    [Fact]
    public void New_ids_are_22_base64url_characters_and_differ()
    {
        string[] ids = Enumerable.Range(0, 1000).Select(_ => SessionId.New()).ToArray();

        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{22}$", id));
        Assert.All(ids, id => Assert.True(SessionId.IsWellFormed(id)));
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("q8Yj3e0cV2mP9wL1sX4tZ")]
    [InlineData("q8Yj3e0cV2mP9wL1sX4tZgA")]
    [InlineData("q8Yj3e0cV2mP9wL1sX4t+g")]
    [InlineData("q8Yj3e0cV2mP9wL1sX4t/g")]
    [InlineData("q8Yj3e0cV2mP9wL1sX4tZ=")]
    [InlineData("q8Yj3e0cV2mP9wL1sX4tZh")]
    public void Anything_else_is_not_an_id(string? id)
    {
        Assert.False(SessionId.IsWellFormed(id));
    }
}
