namespace Duplex.Protocol.Closing;

/// <summary>Which close codes may appear on the wire (RFC 6455 §7.4.1, §7.4.2 and the IANA registry).</summary>
public static class CloseStatusRules
{
    /// <summary>
    /// True for the codes an endpoint may send in a close frame: 1000-1003, 1007-1011, the
    /// codes IANA registered since (1012 Service Restart, 1013 Try Again Later, 1014 Bad
    /// Gateway) and 3000-4999. 1004 is reserved; 1005, 1006 and 1015 must never be sent
    /// (§7.4.1); codes below 1000 are unused and 1016-2999 are not assigned, so receiving them
    /// is a protocol error.
    /// </summary>
    public static bool IsValidOnWire(int code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };
}
