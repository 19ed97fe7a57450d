using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace ChatOnAspNetCore;

/// <summary>
/// A development sign-in: a name, no password. A real app puts its own login (Identity, OpenID
/// Connect, ...) here; Duplex endpoints only ever look at the <see cref="ClaimsPrincipal"/> it yields.
/// </summary>
internal static class SignIn
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/login", () => Pages.File("login.html"));
        app.MapPost("/login", async (HttpContext context) =>
        {
            IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted);
            string name = form["name"].ToString().Trim();
            if (name.Length is 0 or > 40)
            {
                return Results.Redirect("/login?error=name");
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignInAsync(new ClaimsPrincipal(identity));
            return Results.Redirect("/");
        });
        app.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync();
            return Results.Redirect("/login");
        });
    }

    /// <summary>
    /// A page asked for without a cookie goes to the login form; a script, a WebSocket or a
    /// realtime request gets 401, which is what it can act on.
    /// </summary>
    public static Task RedirectPagesOnly(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (context.Request.Path == "/")
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        }

        return Task.CompletedTask;
    }
}
