using Duplex.Protocol.Extensions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>The Sec-WebSocket-Extensions grammar of RFC 6455 §9.1.</summary>
public class ExtensionHeaderParserTests
{
    private static IReadOnlyList<ExtensionElement> Parse(params string[] values)
    {
        Assert.True(ExtensionHeaderParser.TryParse(values, out IReadOnlyList<ExtensionElement>? elements, out string? error), error);
        return elements;
    }

    private static string Fails(params string[] values)
    {
        Assert.False(ExtensionHeaderParser.TryParse(values, out _, out string? error));
        Assert.StartsWith("Invalid Sec-WebSocket-Extensions", error, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Extension_without_parameters_is_one_element()
    {
        ExtensionElement element = Assert.Single(Parse("permessage-deflate"));
        Assert.Equal("permessage-deflate", element.Name);
        Assert.Empty(element.Parameters);
    }

    [Fact]
    public void Parameters_keep_their_order_and_values()
    {
        ExtensionElement element = Assert.Single(Parse("permessage-deflate; client_max_window_bits; server_max_window_bits=10"));
        Assert.Equal([new("client_max_window_bits", null), new("server_max_window_bits", "10")], element.Parameters);
    }

    [Fact]
    public void Whitespace_around_separators_is_allowed()
    {
        ExtensionElement element = Assert.Single(Parse(" \tpermessage-deflate ;server_max_window_bits = 10 ;  client_no_context_takeover\t"));
        Assert.Equal([new("server_max_window_bits", "10"), new("client_no_context_takeover", null)], element.Parameters);
    }

    [Fact]
    public void Commas_separate_extensions_in_order()
    {
        IReadOnlyList<ExtensionElement> elements = Parse("permessage-deflate; client_max_window_bits=10, permessage-deflate, x-webkit-deflate-frame");
        Assert.Equal(["permessage-deflate", "permessage-deflate", "x-webkit-deflate-frame"], elements.Select(e => e.Name));
    }

    [Fact]
    public void Several_header_fields_form_one_list()
    {
        IReadOnlyList<ExtensionElement> elements = Parse("a; x=1", "b, c");
        Assert.Equal(["a", "b", "c"], elements.Select(e => e.Name));
    }

    [Fact]
    public void Empty_list_elements_are_ignored()
    {
        Assert.Equal(["a", "b"], Parse(", a ,, b ,").Select(e => e.Name));
    }

    [Fact]
    public void Quoted_value_is_unquoted()
    {
        Assert.Equal("10", Assert.Single(Assert.Single(Parse("permessage-deflate; client_max_window_bits=\"10\"")).Parameters).Value);
    }

    [Fact]
    public void Quoted_pair_is_unescaped()
    {
        Assert.Equal("ab", Assert.Single(Assert.Single(Parse("x; p=\"a\\b\"")).Parameters).Value);
    }

    [Fact]
    public void Empty_value_list_fails() => Fails("");

    [Fact]
    public void Only_commas_fail() => Fails(" , ,");

    [Fact]
    public void Parameter_without_extension_name_fails() => Fails("; client_max_window_bits");

    [Fact]
    public void Semicolon_without_parameter_name_fails() => Fails("permessage-deflate;");

    [Fact]
    public void Equals_without_value_fails() => Fails("permessage-deflate; server_max_window_bits=");

    [Fact]
    public void Unterminated_quoted_string_fails() => Fails("permessage-deflate; server_max_window_bits=\"10");

    [Fact]
    public void Quoted_value_that_is_not_a_token_once_unquoted_fails() => Fails("permessage-deflate; server_max_window_bits=\"1 0\"");

    [Fact]
    public void Empty_quoted_value_fails() => Fails("permessage-deflate; server_max_window_bits=\"\"");

    [Fact]
    public void Two_tokens_without_a_separator_fail() => Fails("permessage-deflate client_max_window_bits");

    [Fact]
    public void Separator_character_in_a_name_fails() => Fails("permessage/deflate");

    [Fact]
    public void Value_with_two_tokens_fails() => Fails("permessage-deflate; server_max_window_bits=1 0");

    [Fact]
    public void One_bad_field_fails_the_whole_list() => Fails("permessage-deflate", "permessage-deflate;;");
}
