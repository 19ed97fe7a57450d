using System.Reflection;

namespace Duplex.Tests.Api;

/// <summary>The public API as a .NET developer meets it: everyday types in <c>Duplex</c>, no name that clashes with what an app imports beside it.</summary>
public sealed class PublicApiTests
{
    /// <summary>
    /// The namespaces an ASP.NET Core project imports implicitly (Microsoft.NET.Sdk.Web's implicit
    /// usings), plus System.Net.WebSockets, which a WebSocket app imports next to Duplex.
    /// </summary>
    private static readonly string[] ImportedBeside =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json",
        "System.Threading", "System.Threading.Tasks", "System.Threading.Channels", "System.Net.WebSockets",
        "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing",
        "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    /// <summary>The public types an application imports with <c>using Duplex;</c>, <c>using Duplex.Realtime;</c>, <c>using Duplex.Realtime.Channels;</c> and <c>using Duplex.AspNetCore;</c>.</summary>
    private static IEnumerable<Type> DuplexNamespaceTypes() =>
        new[] { typeof(DuplexServer).Assembly, typeof(CloseStatus).Assembly, typeof(Duplex.Realtime.RealtimeEndpoint).Assembly, typeof(Duplex.AspNetCore.DuplexHostOptions).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t.Namespace is "Duplex" or "Duplex.Realtime" or "Duplex.Realtime.Channels" or "Duplex.AspNetCore" && !t.IsNested);

    [Fact]
    public void No_type_in_the_Duplex_namespace_shares_a_name_with_one_an_aspnetcore_or_websocket_app_imports()
    {
        // Load the assemblies of the shared framework that hold those namespaces.
        Type[] anchors =
        [
            typeof(System.Net.WebSockets.WebSocket), typeof(System.Threading.Channels.Channel), typeof(System.Net.Http.HttpClient), typeof(System.Net.Http.Json.JsonContent),
            typeof(Microsoft.AspNetCore.Builder.WebApplication), typeof(Microsoft.AspNetCore.Builder.WebSocketOptions),
            typeof(Microsoft.AspNetCore.Http.HttpContext), typeof(Microsoft.AspNetCore.Http.HttpResponse), typeof(Microsoft.AspNetCore.Http.Results),
            typeof(Microsoft.AspNetCore.Http.WebSocketAcceptContext), typeof(Microsoft.AspNetCore.Routing.RouteOptions),
            typeof(Microsoft.AspNetCore.Hosting.IWebHostEnvironment), typeof(Microsoft.Extensions.Hosting.IHost),
            typeof(Microsoft.Extensions.Logging.ILogger), typeof(Microsoft.Extensions.DependencyInjection.ServiceCollection),
            typeof(Microsoft.Extensions.Configuration.IConfiguration),
        ];
        var imported = AppDomain.CurrentDomain.GetAssemblies()
            .Concat(anchors.Select(t => t.Assembly))
            .Distinct()
            .SelectMany(SafeExportedTypes)
            .Where(t => ImportedBeside.Contains(t.Namespace))
            .Select(t => StripArity(t.Name))
            .ToHashSet(StringComparer.Ordinal);

        string[] clashes = DuplexNamespaceTypes().Select(t => StripArity(t.Name)).Where(imported.Contains).Order().ToArray();

        Assert.Empty(clashes);
    }

    [Theory]
    [InlineData(typeof(CloseStatus))]
    [InlineData(typeof(WebSocketConnectionState))]
    [InlineData(typeof(PerMessageDeflateOptions))]
    [InlineData(typeof(HttpRequestHead))]
    [InlineData(typeof(HttpLimits))]
    [InlineData(typeof(MessageType))]
    [InlineData(typeof(WebSocketConnectionOptions))]
    [InlineData(typeof(SocketEngine))]
    public void Everyday_types_are_in_the_Duplex_namespace(Type type)
    {
        Assert.Equal("Duplex", type.Namespace);
    }

    [Fact]
    public void The_connection_does_not_expose_thread_pool_plumbing()
    {
        Assert.DoesNotContain(typeof(IThreadPoolWorkItem), typeof(WebSocketConnection).GetInterfaces());
    }

    [Fact]
    public void Async_methods_of_the_connection_return_ValueTask()
    {
        string[] taskReturning = typeof(WebSocketConnection)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && m.ReturnType != typeof(ValueTask)
                && !(m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
                && !(m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)))
            .Select(m => m.Name)
            .ToArray();

        Assert.Empty(taskReturning);
    }

    private static IEnumerable<Type> SafeExportedTypes(Assembly assembly)
    {
        try
        {
            return assembly.IsDynamic ? [] : assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or NotSupportedException)
        {
            return [];
        }
    }

    private static string StripArity(string name) => name.Split('`')[0];
}
