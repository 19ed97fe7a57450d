namespace Duplex.Cli.Compare;

/// <summary>
/// Where the last <c>duplex compare</c> report is kept for <c>duplex serve</c>'s compare page:
/// <c>last.json</c> and <c>last.html</c> in <c>$DUPLEX_COMPARE_DIR</c>, else
/// <c>$XDG_DATA_HOME/duplex/compare</c>, else <c>~/.local/share/duplex/compare</c>.
/// </summary>
internal sealed class CompareReportStore
{
    private const string JsonFile = "last.json";
    private const string HtmlFile = "last.html";

    /// <param name="environment">Reads an environment variable (the command's environment: tests give their own).</param>
    public CompareReportStore(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Folder = FolderFrom(environment);
    }

    /// <summary>The folder (it may not exist yet: <see cref="Save"/> makes it).</summary>
    public string Folder { get; }

    /// <summary>
    /// Keeps <paramref name="json"/> as the last report, and <paramref name="html"/> with it (a
    /// report without HTML removes the HTML of an older one, which would not match). Each file is
    /// written beside and moved into place, so a reader never sees half of one.
    /// </summary>
    public void Save(string json, string? html)
    {
        ArgumentNullException.ThrowIfNull(json);
        Directory.CreateDirectory(Folder);
        Replace(JsonFile, json);
        if (html is null)
        {
            File.Delete(Path.Combine(Folder, HtmlFile));
        }
        else
        {
            Replace(HtmlFile, html);
        }
    }

    /// <summary>The last report's JSON; null when there is none.</summary>
    public string? LoadJson() => Load(JsonFile);

    /// <summary>The last report's HTML; null when there is none.</summary>
    public string? LoadHtml() => Load(HtmlFile);

    private string? Load(string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(Folder, name));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private void Replace(string name, string text)
    {
        string target = Path.Combine(Folder, name);
        string temporary = target + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, target, overwrite: true);
    }

    private static string FolderFrom(Func<string, string?> environment)
    {
        if (environment("DUPLEX_COMPARE_DIR") is { Length: > 0 } asked)
        {
            return Path.GetFullPath(asked);
        }

        // XDG Base Directory: a relative XDG_DATA_HOME is invalid and ignored.
        string data = environment("XDG_DATA_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "duplex", "compare");
    }
}
