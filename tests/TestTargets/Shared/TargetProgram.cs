using System.Diagnostics;

namespace MemoryAssertions.TestTargets;

/// <summary>
/// Runs a target program (built beside the test assembly, same configuration) in a child process of its own and returns
/// what it printed. Linked into the test projects that run target programs.
/// </summary>
internal static class TargetProgram
{
    /// <summary>The program <paramref name="name"/>.dll beside the test assembly's output folder.</summary>
    public static string Locate(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : throw new FileNotFoundException($"The program {name} was not built.", name);
        }

        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var bin = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", ".."));
        var program = Path.Combine(bin, name, configuration, name + ".dll");
        return File.Exists(program) ? program : throw new FileNotFoundException($"The {name} program was not built beside the tests.", program);
    }

    /// <summary>
    /// Whether the program was built self-contained (its runtime beside it, as the .NET 8 build is): it is then started
    /// through its own app host, since the machine's <c>dotnet</c> may not have its runtime.
    /// </summary>
    private static bool IsSelfContained(string program) =>
        File.ReadAllText(Path.ChangeExtension(program, ".runtimeconfig.json")).Contains("\"includedFrameworks\"", StringComparison.Ordinal);

    private static string AppHost(string program) =>
        Path.ChangeExtension(program, OperatingSystem.IsWindows() ? ".exe" : null);

    /// <summary>
    /// Runs <paramref name="name"/> with <paramref name="arguments"/> and returns its standard output. Throws when it
    /// exits with another code than <paramref name="exitCode"/>, or does not exit within <paramref name="timeout"/> (it is
    /// then killed, with any process it started). <paramref name="prepare"/> may change the start (environment, a wrapper).
    /// </summary>
    public static string Run(string name, IEnumerable<string> arguments, TimeSpan timeout, Action<ProcessStartInfo>? prepare = null, int exitCode = 0)
    {
        var program = Locate(name);
        var start = new ProcessStartInfo(IsSelfContained(program) ? AppHost(program) : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.FileName == "dotnet")
        {
            start.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var command = string.Join(' ', start.ArgumentList.Where(a => a != program).Prepend(name));
        prepare?.Invoke(start);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {timeout.TotalSeconds:0} s.");
        }

        process.WaitForExit();
        var output = stdout.GetAwaiter().GetResult();
        return process.ExitCode == exitCode
            ? output
            : throw new InvalidOperationException($"{command} exited with {process.ExitCode}:\n{output}\n{stderr.GetAwaiter().GetResult()}");
    }
}
