using Duplex.Protocol.Http;

namespace Duplex;

/// <summary>
/// A request was refused: its body broke a rule of RFC 9112, passed a size limit, or did not
/// arrive in time. A handler that lets it propagate gets <see cref="StatusCode"/> answered for it
/// (when its response has not started), and the connection closed.
/// </summary>
public sealed class HttpRequestRejectedException : Exception
{
    /// <summary>Creates the exception for <paramref name="rejection"/>, with its sentence as the message.</summary>
    public HttpRequestRejectedException(HttpRequestRejection rejection)
        : base(HttpRequestRejections.Describe(rejection))
    {
        ArgumentOutOfRangeException.ThrowIfEqual(rejection, HttpRequestRejection.None);
        Rejection = rejection;
    }

    /// <summary>Creates the exception with a reason of <see cref="HttpRequestRejection.InvalidRequestLine"/>; prefer the constructor that names one.</summary>
    public HttpRequestRejectedException()
        : this(HttpRequestRejection.InvalidRequestLine)
    {
    }

    /// <summary>Creates the exception with this message and a reason of <see cref="HttpRequestRejection.InvalidRequestLine"/>.</summary>
    public HttpRequestRejectedException(string message)
        : base(message)
    {
        Rejection = HttpRequestRejection.InvalidRequestLine;
    }

    /// <summary>Creates the exception with this message and inner exception.</summary>
    public HttpRequestRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Rejection = HttpRequestRejection.InvalidRequestLine;
    }

    /// <summary>Why the request was refused.</summary>
    public HttpRequestRejection Rejection { get; }

    /// <summary>The status code the refusal is answered with.</summary>
    public int StatusCode => HttpRequestRejections.StatusCodeFor(Rejection);
}
