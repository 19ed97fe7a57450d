using CsCheck;
using Duplex.Protocol.Extensions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>The client's side of RFC 7692 §5 and §7.1: offer, then fail the connection on any answer it cannot honour.</summary>
public class PerMessageDeflateClientNegotiationTests
{
    private static readonly PerMessageDeflateOptions s_defaults = new();

    private static PerMessageDeflateParameters Valid(string response, PerMessageDeflateOptions? client = null)
    {
        PerMessageDeflateParameters? parameters = PerMessageDeflateNegotiation.ValidateResponse(response, client ?? s_defaults, out string? error);
        Assert.Null(error);
        Assert.NotNull(parameters);
        return parameters;
    }

    private static string Fails(string response, PerMessageDeflateOptions? client = null)
    {
        Assert.Null(PerMessageDeflateNegotiation.ValidateResponse(response, client ?? s_defaults, out string? error));
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public void Default_offer_is_permessage_deflate_with_client_max_window_bits()
    {
        Assert.Equal("permessage-deflate; client_max_window_bits", PerMessageDeflateNegotiation.BuildOffer(s_defaults));
    }

    [Fact]
    public void Offer_names_every_parameter_the_client_wants()
    {
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12",
            PerMessageDeflateNegotiation.BuildOffer(new()
            {
                ServerNoContextTakeover = true,
                ClientNoContextTakeover = true,
                ServerMaxWindowBits = 10,
                ClientMaxWindowBits = 12,
            }));
    }

    [Fact]
    public void Offer_may_ask_the_server_for_a_window_of_8_because_the_client_can_inflate_with_it()
    {
        Assert.Equal(
            "permessage-deflate; server_max_window_bits=8; client_max_window_bits",
            PerMessageDeflateNegotiation.BuildOffer(new() { ServerMaxWindowBits = 8 }));
    }

    [Fact]
    public void Client_option_of_a_window_of_8_for_its_own_compressor_is_offered()
    {
        Assert.Equal(
            "permessage-deflate; client_max_window_bits=8",
            PerMessageDeflateNegotiation.BuildOffer(new() { ClientMaxWindowBits = 8 }));
    }

    [Fact]
    public void Plain_response_gives_the_defaults()
    {
        Assert.Equal(new PerMessageDeflateParameters(), Valid("permessage-deflate"));
    }

    [Fact]
    public void Response_with_every_parameter_is_applied()
    {
        Assert.Equal(
            new PerMessageDeflateParameters(true, true, 10, 11),
            Valid("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11"));
    }

    [Fact]
    public void Response_with_quoted_values_is_applied()
    {
        Assert.Equal(new PerMessageDeflateParameters(false, false, 10, 11), Valid("permessage-deflate; server_max_window_bits=\"10\"; client_max_window_bits=\"11\""));
    }

    [Fact]
    public void Server_may_add_server_no_context_takeover_the_client_did_not_ask_for()
    {
        Assert.True(Valid("permessage-deflate; server_no_context_takeover").ServerNoContextTakeover);
    }

    [Fact]
    public void Server_may_name_a_server_window_the_client_did_not_ask_for()
    {
        Assert.Equal(8, Valid("permessage-deflate; server_max_window_bits=8").ServerMaxWindowBits);
    }

    [Fact]
    public void Server_may_answer_a_smaller_server_window_than_asked()
    {
        Assert.Equal(9, Valid("permessage-deflate; server_max_window_bits=9", new() { ServerMaxWindowBits = 12 }).ServerMaxWindowBits);
    }

    [Fact]
    public void Client_keeps_its_own_smaller_window_and_no_context_takeover()
    {
        Assert.Equal(
            new PerMessageDeflateParameters(false, true, 15, 11),
            Valid("permessage-deflate; client_max_window_bits=13", new() { ClientMaxWindowBits = 11, ClientNoContextTakeover = true }));
    }

    [Fact]
    public void Server_window_larger_than_asked_fails()
    {
        Assert.Contains("larger", Fails("permessage-deflate; server_max_window_bits=13", new() { ServerMaxWindowBits = 12 }), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_server_window_the_client_asked_for_fails()
    {
        Assert.Contains("server_max_window_bits", Fails("permessage-deflate", new() { ServerMaxWindowBits = 12 }), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_server_no_context_takeover_the_client_asked_for_fails()
    {
        Assert.Contains("server_no_context_takeover", Fails("permessage-deflate", new() { ServerNoContextTakeover = true }), StringComparison.Ordinal);
    }

    [Fact]
    public void Client_window_of_8_is_accepted_when_the_client_offered_client_max_window_bits()
    {
        Assert.Contains("client_max_window_bits", PerMessageDeflateNegotiation.BuildOffer(s_defaults), StringComparison.Ordinal);
        PerMessageDeflateParameters parameters = Valid("permessage-deflate; client_max_window_bits=8");
        Assert.Equal(new PerMessageDeflateParameters(clientMaxWindowBits: 8), parameters);
        using MessageDeflater deflater = parameters.CreateDeflater(Duplex.Protocol.Connection.Role.Client, s_defaults);
        Assert.Equal(8, deflater.WindowBits);
    }

    [Fact]
    public void Client_window_of_8_is_accepted_below_an_offered_client_window()
    {
        Assert.Equal(8, Valid("permessage-deflate; server_no_context_takeover; client_max_window_bits=8", new() { ClientMaxWindowBits = 10 }).ClientMaxWindowBits);
    }

    [Fact]
    public void Client_max_window_bits_without_a_value_in_a_response_fails() => Fails("permessage-deflate; client_max_window_bits");

    [Fact]
    public void Unknown_parameter_fails()
    {
        Assert.Contains("unknown parameter", Fails("permessage-deflate; mystery"), StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_parameter_fails()
    {
        Assert.Contains("repeats", Fails("permessage-deflate; client_no_context_takeover; client_no_context_takeover"), StringComparison.Ordinal);
    }

    [Fact]
    public void Value_on_a_no_context_takeover_parameter_fails() => Fails("permessage-deflate; server_no_context_takeover=yes");

    [Theory]
    [InlineData("server_max_window_bits=7")]
    [InlineData("server_max_window_bits=16")]
    [InlineData("server_max_window_bits=08")]
    [InlineData("server_max_window_bits=x")]
    [InlineData("server_max_window_bits")]
    [InlineData("client_max_window_bits=16")]
    [InlineData("client_max_window_bits=\"7\"")]
    public void Invalid_window_value_fails(string parameter) => Fails("permessage-deflate; " + parameter);

    [Fact]
    public void More_than_one_permessage_deflate_element_fails()
    {
        Assert.Contains("more than one", Fails("permessage-deflate, permessage-deflate"), StringComparison.Ordinal);
    }

    [Fact]
    public void Extension_the_client_did_not_offer_fails()
    {
        Assert.Contains("did not offer", Fails("permessage-deflate, x-webkit-deflate-frame"), StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_response_fails()
    {
        Assert.StartsWith("Invalid Sec-WebSocket-Extensions", Fails("permessage-deflate;"), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_response_fails() => Fails("");

    [Fact]
    public void Server_answer_to_any_client_offer_is_accepted_by_that_client_with_the_same_agreement()
    {
        Gen<int> anyBits = Gen.Int[8, 15];
        Gen.Select(Gen.Bool, Gen.Bool, anyBits, anyBits)
            .Select(Gen.Bool, Gen.Bool, anyBits, anyBits, (c, sNct, cNct, sBits, cBits) =>
                (Client: new PerMessageDeflateOptions
                {
                    ServerNoContextTakeover = c.Item1,
                    ClientNoContextTakeover = c.Item2,
                    ServerMaxWindowBits = c.Item3,
                    ClientMaxWindowBits = c.Item4,
                },
                Server: new PerMessageDeflateOptions
                {
                    ServerNoContextTakeover = sNct,
                    ClientNoContextTakeover = cNct,
                    ServerMaxWindowBits = sBits,
                    ClientMaxWindowBits = cBits,
                }))
            .Sample(pair =>
            {
                string offer = PerMessageDeflateNegotiation.BuildOffer(pair.Client);
                PerMessageDeflateParameters? accepted = PerMessageDeflateNegotiation.Accept([offer], pair.Server, out string? response);
                Assert.NotNull(accepted);
                PerMessageDeflateParameters? applied = PerMessageDeflateNegotiation.ValidateResponse(response!, pair.Client, out string? error);
                Assert.Null(error);
                Assert.NotNull(applied);
                Assert.Equal(accepted.ServerNoContextTakeover, applied.ServerNoContextTakeover);
                Assert.Equal(accepted.ServerMaxWindowBits, applied.ServerMaxWindowBits);
                Assert.True(applied.ServerMaxWindowBits <= pair.Client.ServerMaxWindowBits);
                Assert.True(applied.ClientMaxWindowBits <= accepted.ClientMaxWindowBits);
                Assert.True(applied.ClientNoContextTakeover || !accepted.ClientNoContextTakeover);
            }, iter: 2000);
    }
}
