using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Duplex.Tests.Docs;

/// <summary>
/// The README's C# examples compile against the libraries as they are, with only the usings
/// each example shows (issue 10: the example needs only <c>using Duplex;</c>). Each block is
/// compiled as the body of an async method given a <c>CancellationToken ct</c>, as the
/// examples assume, with the implicit usings of an SDK project.
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    public static TheoryData<int, string> Examples()
    {
        string readme = File.ReadAllText(FindReadme());
        var data = new TheoryData<int, string>();
        int index = 0;
        foreach (Match block in CSharpBlock().Matches(readme))
        {
            data.Add(index++, block.Groups[1].Value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Readme_example_compiles_with_only_its_own_usings(int index, string code)
    {
        string[] lines = code.Split('\n');
        string[] usings = lines.Where(l => l.StartsWith("using ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(';')).ToArray();
        string body = string.Join('\n', lines.Where(l => !usings.Contains(l)));
        string source = string.Join('\n', ImplicitUsings.Select(u => $"using {u};"))
            + "\n" + string.Join('\n', usings)
            + "\ninternal static class Example\n{\n    public static async Task RunAsync(CancellationToken ct)\n    {\n"
            + body
            + "\n    }\n}\n";

        CSharpCompilation compilation = CSharpCompilation.Create(
            $"ReadmeExample{index}",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        string[] errors = compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(errors.Length == 0, $"README example {index} does not compile:\n{string.Join('\n', errors)}\n---\n{source}");
    }

    private static ImmutableArray<MetadataReference> References()
    {
        // The shared frameworks this test runs on (Microsoft.NETCore.App and, for the ASP.NET Core
        // example, Microsoft.AspNetCore.App) and the Duplex libraries.
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(Path.GetDirectoryName(typeof(Microsoft.AspNetCore.Builder.WebApplication).Assembly.Location)!, "Microsoft.*.dll"))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return [.. platform.Select(p => MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(typeof(DuplexServer).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(CloseStatus).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(Duplex.Realtime.RealtimeEndpoint).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(Duplex.AspNetCore.DuplexHostOptions).Assembly.Location)];
    }

    private static string FindReadme()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Duplex.slnx")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md next to Duplex.slnx was not found above the test's folder.");
    }
}
