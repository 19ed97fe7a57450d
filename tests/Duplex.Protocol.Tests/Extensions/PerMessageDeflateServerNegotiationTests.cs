using Duplex.Protocol.Extensions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>The server's side of RFC 7692 §5 and §7.1: accept the first offer it can honour.</summary>
public class PerMessageDeflateServerNegotiationTests
{
    private static readonly PerMessageDeflateOptions s_defaults = new();

    private static (PerMessageDeflateParameters Parameters, string Response) Accepts(string offer, PerMessageDeflateOptions? server = null) =>
        Accepts([offer], server);

    private static (PerMessageDeflateParameters Parameters, string Response) Accepts(string[] offers, PerMessageDeflateOptions? server = null)
    {
        PerMessageDeflateParameters? parameters = PerMessageDeflateNegotiation.Accept(offers, server ?? s_defaults, out string? response);
        Assert.NotNull(parameters);
        Assert.NotNull(response);
        return (parameters, response);
    }

    private static void Declines(string offer, PerMessageDeflateOptions? server = null)
    {
        Assert.Null(PerMessageDeflateNegotiation.Accept([offer], server ?? s_defaults, out string? response));
        Assert.Null(response);
    }

    [Fact]
    public void Offer_without_parameters_is_accepted_with_the_defaults()
    {
        var (parameters, response) = Accepts("permessage-deflate");
        Assert.Equal("permessage-deflate", response);
        Assert.Equal(new PerMessageDeflateParameters(), parameters);
    }

    [Fact]
    public void Chromium_offer_is_accepted_without_parameters()
    {
        var (parameters, response) = Accepts("permessage-deflate; client_max_window_bits");
        Assert.Equal("permessage-deflate", response);
        Assert.Equal(new PerMessageDeflateParameters(), parameters);
    }

    [Fact]
    public void Client_max_window_bits_without_value_lets_the_server_limit_the_client_window()
    {
        var (parameters, response) = Accepts("permessage-deflate; client_max_window_bits", new() { ClientMaxWindowBits = 10 });
        Assert.Equal("permessage-deflate; client_max_window_bits=10", response);
        Assert.Equal(10, parameters.ClientMaxWindowBits);
    }

    [Fact]
    public void Client_window_is_not_limited_when_the_offer_has_no_client_max_window_bits()
    {
        var (parameters, response) = Accepts("permessage-deflate", new() { ClientMaxWindowBits = 10 });
        Assert.Equal("permessage-deflate", response);
        Assert.Equal(15, parameters.ClientMaxWindowBits);
    }

    [Fact]
    public void Offered_client_max_window_bits_value_is_answered_to_size_the_decompressor()
    {
        var (parameters, response) = Accepts("permessage-deflate; client_max_window_bits=12");
        Assert.Equal("permessage-deflate; client_max_window_bits=12", response);
        Assert.Equal(12, parameters.ClientMaxWindowBits);
    }

    [Fact]
    public void Client_window_is_the_smaller_of_the_offer_and_the_server_option()
    {
        Assert.Equal(10, Accepts("permessage-deflate; client_max_window_bits=12", new() { ClientMaxWindowBits = 10 }).Parameters.ClientMaxWindowBits);
        Assert.Equal(11, Accepts("permessage-deflate; client_max_window_bits=11", new() { ClientMaxWindowBits = 13 }).Parameters.ClientMaxWindowBits);
    }

    [Fact]
    public void Offered_server_max_window_bits_is_echoed()
    {
        var (parameters, response) = Accepts("permessage-deflate; server_max_window_bits=10");
        Assert.Equal("permessage-deflate; server_max_window_bits=10", response);
        Assert.Equal(10, parameters.ServerMaxWindowBits);
    }

    [Fact]
    public void Offered_server_max_window_bits_of_15_is_echoed_to_accept_it()
    {
        Assert.Equal("permessage-deflate; server_max_window_bits=15", Accepts("permessage-deflate; server_max_window_bits=15").Response);
    }

    [Fact]
    public void Server_answers_a_smaller_server_window_than_offered_when_its_option_is_smaller()
    {
        var (parameters, response) = Accepts("permessage-deflate; server_max_window_bits=14", new() { ServerMaxWindowBits = 12 });
        Assert.Equal("permessage-deflate; server_max_window_bits=12", response);
        Assert.Equal(12, parameters.ServerMaxWindowBits);
    }

    [Fact]
    public void Server_names_its_smaller_window_even_when_not_offered()
    {
        Assert.Equal("permessage-deflate; server_max_window_bits=11", Accepts("permessage-deflate", new() { ServerMaxWindowBits = 11 }).Response);
    }

    [Fact]
    public void Server_max_window_bits_8_is_accepted_and_echoed_because_the_server_compresses_without_back_references()
    {
        var (parameters, response) = Accepts("permessage-deflate; server_max_window_bits=8");
        Assert.Equal("permessage-deflate; server_max_window_bits=8", response);
        Assert.Equal(8, parameters.ServerMaxWindowBits);
        using MessageDeflater deflater = parameters.CreateDeflater(Duplex.Protocol.Connection.Role.Server, s_defaults);
        Assert.Equal(8, deflater.WindowBits);
    }

    [Fact]
    public void Server_max_window_bits_8_offer_is_taken_before_a_later_offer()
    {
        var (parameters, response) = Accepts("permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9");
        Assert.Equal("permessage-deflate; server_max_window_bits=8", response);
        Assert.Equal(8, parameters.ServerMaxWindowBits);
    }

    [Fact]
    public void Autobahn_13_7_offer_list_gets_its_first_offer_accepted()
    {
        var (parameters, response) = Accepts(
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=8, permessage-deflate; server_no_context_takeover, permessage-deflate");
        Assert.Equal("permessage-deflate; server_no_context_takeover; server_max_window_bits=8", response);
        Assert.Equal(new PerMessageDeflateParameters(serverNoContextTakeover: true, serverMaxWindowBits: 8), parameters);
    }

    [Fact]
    public void Server_max_window_bits_8_with_every_other_parameter_is_accepted()
    {
        var (parameters, response) = Accepts(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8");
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8",
            response);
        Assert.Equal(new PerMessageDeflateParameters(true, true, 8, 8), parameters);
    }

    [Fact]
    public void Client_max_window_bits_8_is_accepted_because_the_server_can_inflate_with_it()
    {
        var (parameters, response) = Accepts("permessage-deflate; client_max_window_bits=8");
        Assert.Equal("permessage-deflate; client_max_window_bits=8", response);
        Assert.Equal(8, parameters.ClientMaxWindowBits);
    }

    [Fact]
    public void Offered_server_no_context_takeover_is_in_the_response()
    {
        var (parameters, response) = Accepts("permessage-deflate; server_no_context_takeover");
        Assert.Equal("permessage-deflate; server_no_context_takeover", response);
        Assert.True(parameters.ServerNoContextTakeover);
    }

    [Fact]
    public void Server_option_adds_server_no_context_takeover_when_not_offered()
    {
        var (parameters, response) = Accepts("permessage-deflate", new() { ServerNoContextTakeover = true });
        Assert.Equal("permessage-deflate; server_no_context_takeover", response);
        Assert.True(parameters.ServerNoContextTakeover);
    }

    [Fact]
    public void Offered_client_no_context_takeover_is_in_the_response()
    {
        var (parameters, response) = Accepts("permessage-deflate; client_no_context_takeover");
        Assert.Equal("permessage-deflate; client_no_context_takeover", response);
        Assert.True(parameters.ClientNoContextTakeover);
    }

    [Fact]
    public void Server_option_adds_client_no_context_takeover_when_not_offered()
    {
        var (parameters, response) = Accepts("permessage-deflate", new() { ClientNoContextTakeover = true });
        Assert.Equal("permessage-deflate; client_no_context_takeover", response);
        Assert.True(parameters.ClientNoContextTakeover);
    }

    [Fact]
    public void Offer_with_every_parameter_is_answered_with_every_parameter()
    {
        var (parameters, response) = Accepts(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11");
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11",
            response);
        Assert.Equal(new PerMessageDeflateParameters(true, true, 10, 11), parameters);
        Assert.Equal(response, parameters.ToHeaderValue());
    }

    [Fact]
    public void Offer_with_an_unknown_parameter_is_declined() => Declines("permessage-deflate; mystery");

    [Fact]
    public void Offer_with_a_duplicate_parameter_is_declined() => Declines("permessage-deflate; server_no_context_takeover; server_no_context_takeover");

    [Fact]
    public void Offer_with_a_duplicate_window_parameter_is_declined() => Declines("permessage-deflate; client_max_window_bits; client_max_window_bits=10");

    [Fact]
    public void Offer_with_a_value_on_server_no_context_takeover_is_declined() => Declines("permessage-deflate; server_no_context_takeover=1");

    [Fact]
    public void Offer_with_a_value_on_client_no_context_takeover_is_declined() => Declines("permessage-deflate; client_no_context_takeover=true");

    [Theory]
    [InlineData("7")]
    [InlineData("16")]
    [InlineData("0")]
    [InlineData("08")]
    [InlineData("010")]
    [InlineData("-9")]
    [InlineData("+9")]
    [InlineData("ten")]
    [InlineData("9a")]
    [InlineData("999999999999")]
    public void Offer_with_an_invalid_server_max_window_bits_is_declined(string value) =>
        Declines("permessage-deflate; server_max_window_bits=" + value);

    [Theory]
    [InlineData("7")]
    [InlineData("16")]
    [InlineData("09")]
    [InlineData("x")]
    public void Offer_with_an_invalid_client_max_window_bits_is_declined(string value) =>
        Declines("permessage-deflate; client_max_window_bits=" + value);

    [Fact]
    public void Offer_with_server_max_window_bits_without_a_value_is_declined() => Declines("permessage-deflate; server_max_window_bits");

    [Fact]
    public void Quoted_window_value_is_the_same_as_the_token()
    {
        var (parameters, response) = Accepts("permessage-deflate; client_max_window_bits=\"10\"; server_max_window_bits=\"12\"");
        Assert.Equal("permessage-deflate; server_max_window_bits=12; client_max_window_bits=10", response);
        Assert.Equal(new PerMessageDeflateParameters(false, false, 12, 10), parameters);
    }

    [Fact]
    public void Quoted_invalid_window_value_is_declined() => Declines("permessage-deflate; server_max_window_bits=\"16\"");

    [Fact]
    public void First_acceptable_of_several_offers_is_chosen()
    {
        var (parameters, response) = Accepts(
            "permessage-deflate; mystery, permessage-deflate; server_max_window_bits=11, permessage-deflate");
        Assert.Equal("permessage-deflate; server_max_window_bits=11", response);
        Assert.Equal(11, parameters.ServerMaxWindowBits);
    }

    [Fact]
    public void First_offer_wins_when_several_are_acceptable()
    {
        Assert.Equal(
            "permessage-deflate; client_no_context_takeover",
            Accepts("permessage-deflate; client_no_context_takeover, permessage-deflate; server_max_window_bits=10").Response);
    }

    [Fact]
    public void Offers_in_several_header_fields_are_considered_in_order()
    {
        Assert.Equal(
            "permessage-deflate; server_max_window_bits=10",
            Accepts(["permessage-deflate; mystery", "permessage-deflate; server_max_window_bits=10", "permessage-deflate; server_max_window_bits=12"]).Response);
    }

    [Fact]
    public void Other_extensions_are_skipped()
    {
        Assert.Equal("permessage-deflate", Accepts("x-webkit-deflate-frame, permessage-deflate; client_max_window_bits").Response);
    }

    [Fact]
    public void Extension_name_is_compared_exactly() => Declines("Permessage-Deflate");

    [Fact]
    public void No_permessage_deflate_offer_is_declined() => Declines("x-webkit-deflate-frame");

    [Fact]
    public void Malformed_header_is_declined() => Declines("permessage-deflate; ; client_max_window_bits");

    [Fact]
    public void Malformed_second_field_declines_even_a_valid_first_field()
    {
        Assert.Null(PerMessageDeflateNegotiation.Accept(["permessage-deflate", "permessage-deflate;="], s_defaults, out string? response));
        Assert.Null(response);
    }

    [Fact]
    public void No_header_is_declined()
    {
        Assert.Null(PerMessageDeflateNegotiation.Accept([], s_defaults, out string? response));
        Assert.Null(response);
    }

    [Fact]
    public void Server_option_of_a_window_of_8_for_its_own_compressor_is_answered()
    {
        var (parameters, response) = Accepts("permessage-deflate", new() { ServerMaxWindowBits = 8 });
        Assert.Equal("permessage-deflate; server_max_window_bits=8", response);
        Assert.Equal(8, parameters.ServerMaxWindowBits);
    }

    [Fact]
    public void Server_option_of_a_client_window_of_8_is_answered_when_the_client_offered_client_max_window_bits()
    {
        var (parameters, response) = Accepts("permessage-deflate; client_max_window_bits", new() { ClientMaxWindowBits = 8 });
        Assert.Equal("permessage-deflate; client_max_window_bits=8", response);
        Assert.Equal(8, parameters.ClientMaxWindowBits);
    }

    [Fact]
    public void Options_outside_their_ranges_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerMessageDeflateOptions { ServerMaxWindowBits = 16 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerMessageDeflateOptions { ClientMaxWindowBits = 7 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerMessageDeflateOptions { CompressionLevel = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerMessageDeflateOptions { MemoryLevel = 10 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerMessageDeflateOptions { MinimumMessageSize = -1 });
    }
}
