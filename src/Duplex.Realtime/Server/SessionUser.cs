using System.Security.Claims;

namespace Duplex.Realtime.Server;

/// <summary>Whether a request may act for a session: one opened by an authenticated user is that user's alone.</summary>
internal static class SessionUser
{
    public static bool SameUser(ClaimsPrincipal? owner, ClaimsPrincipal? requester)
    {
        if (owner?.Identity is not { IsAuthenticated: true } ownerIdentity)
        {
            return true;
        }

        if (requester?.Identity is not { IsAuthenticated: true } requesterIdentity)
        {
            return false;
        }

        // The scheme may differ (a cookie for the page, a token for the socket): the person may not.
        return string.Equals(ownerIdentity.Name, requesterIdentity.Name, StringComparison.Ordinal)
            && string.Equals(owner.FindFirst(ClaimTypes.NameIdentifier)?.Value, requester.FindFirst(ClaimTypes.NameIdentifier)?.Value, StringComparison.Ordinal);
    }
}
