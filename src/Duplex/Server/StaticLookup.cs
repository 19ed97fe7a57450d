namespace Duplex.Server;

/// <summary>What looking a path up in a static folder found.</summary>
internal enum StaticLookup
{
    /// <summary>A regular file below the folder.</summary>
    Found,

    /// <summary>No such file (or a directory without index.html).</summary>
    NotFound,

    /// <summary>The path tries to leave the folder or cannot name a file: dot segments, backslashes, NUL, an absolute path.</summary>
    BadPath,
}
