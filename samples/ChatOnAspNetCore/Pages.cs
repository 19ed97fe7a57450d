namespace ChatOnAspNetCore;

/// <summary>The HTML pages, copied next to the app (pages/).</summary>
internal static class Pages
{
    public static IResult File(string name) =>
        Results.File(Path.Combine(AppContext.BaseDirectory, "pages", name), "text/html; charset=utf-8");
}
