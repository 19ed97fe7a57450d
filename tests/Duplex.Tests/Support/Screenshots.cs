using Duplex.Tests.Interop;

namespace Duplex.Tests.Support;

/// <summary>
/// Where the browser tests save their screenshots: TestResults/screenshots under the repository
/// root, next to the TRX files (./test.sh empties TestResults/ before every run).
/// </summary>
internal static class Screenshots
{
    /// <summary>The folder, created when missing.</summary>
    public static string Folder()
    {
        string folder = Path.Combine(PeerProcess.RepoRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Asserts that <paramref name="file"/> is a PNG that is not empty.</summary>
    public static void AssertSaved(string file)
    {
        Assert.True(File.Exists(file), $"no screenshot at {file}");
        byte[] bytes = File.ReadAllBytes(file);
        Assert.True(bytes.Length > 1000, $"{file} holds only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }
}
