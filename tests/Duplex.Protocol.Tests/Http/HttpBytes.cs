using System.Buffers;
using System.Text;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>Builds test input from text written out in the test, one byte per char (Latin-1), and parses it.</summary>
internal static class HttpBytes
{
    internal static byte[] Of(string text) => Encoding.Latin1.GetBytes(text);

    internal static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    internal static string Text(ArrayBufferWriter<byte> output) => Encoding.Latin1.GetString(output.WrittenSpan);

    internal static HttpRequestHead Request(string text)
    {
        byte[] bytes = Of(text);
        OperationStatus status = HttpHeadParser.TryParseRequest(bytes, HttpLimits.Default, out HttpRequestHead? head, out int consumed, out HttpParseError error);
        Assert.Equal(HttpParseError.None, error);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(bytes.Length, consumed);
        return head!;
    }

    internal static HttpResponseHead Response(string text) => Response(Of(text));

    internal static HttpResponseHead Response(ReadOnlySpan<byte> bytes)
    {
        OperationStatus status = HttpHeadParser.TryParseResponse(bytes, HttpLimits.Default, out HttpResponseHead? head, out int consumed, out HttpParseError error);
        Assert.Equal(HttpParseError.None, error);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(bytes.Length, consumed);
        return head!;
    }

    internal static HttpParseError RequestError(string text, HttpLimits? limits = null)
    {
        OperationStatus status = HttpHeadParser.TryParseRequest(Of(text), limits ?? HttpLimits.Default, out HttpRequestHead? head, out int consumed, out HttpParseError error);
        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Null(head);
        Assert.Equal(0, consumed);
        return error;
    }

    internal static HttpParseError ResponseError(string text, HttpLimits? limits = null)
    {
        OperationStatus status = HttpHeadParser.TryParseResponse(Of(text), limits ?? HttpLimits.Default, out HttpResponseHead? head, out int consumed, out HttpParseError error);
        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Null(head);
        Assert.Equal(0, consumed);
        return error;
    }
}
