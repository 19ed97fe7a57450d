// The HTTP peer of bench/http-side-by-side.sh: ASP.NET Core Kestrel serving a folder with its own
// static-file middleware (default document, then the file), the way an ASP.NET Core app serves
// static files out of the box. Logging is off so that it does the same work per request as the
// other servers, which log nothing per request either.
//
//   dotnet KestrelStatic.dll PORT DIR      # serves DIR at http://127.0.0.1:PORT/ (/ is DIR/index.html)
using System.Globalization;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: KestrelStatic PORT DIR");
    return 2;
}

int port = int.Parse(args[0], CultureInfo.InvariantCulture);
string root = Path.GetFullPath(args[1]);
if (!Directory.Exists(root))
{
    Console.Error.WriteLine($"KestrelStatic: the folder {root} does not exist");
    return 2;
}

// WebRootPath makes the folder the app's web root, which UseStaticFiles serves by default.
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { WebRootPath = root });
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
WebApplication app = builder.Build();
app.UseDefaultFiles();  // rewrites / to /index.html
app.UseStaticFiles();
await app.RunAsync();
return 0;
