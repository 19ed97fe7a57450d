using System.Text;

namespace Duplex;

/// <summary>A plain HTTP response from an <see cref="HttpHandler"/>.</summary>
public sealed class HttpResponse
{
    /// <summary>Creates a response.</summary>
    public HttpResponse(int statusCode, string contentType, ReadOnlyMemory<byte> body)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
    }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>The Content-Type.</summary>
    public string ContentType { get; }

    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Extra response headers.</summary>
    public IList<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>A text/plain response.</summary>
    public static HttpResponse Text(int statusCode, string text) =>
        new(statusCode, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));
}
