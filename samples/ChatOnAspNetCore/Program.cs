using ChatOnAspNetCore;
using Duplex;
using Duplex.AspNetCore;
using Duplex.Realtime;
using Microsoft.AspNetCore.Authentication.Cookies;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// The app's own sign-in, as any ASP.NET Core app has one: a cookie, set by the form at /login.
// Duplex knows nothing of it; it sees HttpContext.User (RealtimeSession.User, WebSocketConnection.User).
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.LoginPath = "/login";
        options.Events.OnRedirectToLogin = SignIn.RedirectPagesOnly;
    });
builder.Services.AddAuthorization();

// Duplex, 1 of 2: the host that runs Duplex endpoints on Kestrel.
builder.Services.AddDuplex();

WebApplication app = builder.Build();

SignIn.Map(app);
app.MapGet("/", () => Pages.File("chat.html")).RequireAuthorization();

// Duplex, 2 of 2: sessions over every transport (WebSocket, SSE, long polling, short polling)
// and channels at /realtime, for signed-in users only; duplex.js at /realtime/duplex.js.
RealtimeEndpoint? realtime = null;
realtime = app.MapRealtime("/realtime", (session, ct) => ChatRoom.RunAsync(session, realtime!.Channels, ct), ChatRoom.Options)
    .RequireAuthorization()
    .Endpoint;

// A plain WebSocket endpoint beside it, behind the same sign-in.
app.MapWebSocket("/echo", async (WebSocketConnection ws, CancellationToken ct) =>
{
    await foreach (WebSocketMessage message in ws.ReadMessagesAsync(ct))
        await ws.SendAsync(message, ct);
}).RequireAuthorization();

app.Run();
