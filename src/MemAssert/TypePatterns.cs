using System.Text.RegularExpressions;

namespace MemoryAssertions;

/// <summary>Type-name patterns with <c>*</c> and <c>?</c> wildcards, matched against the whole name, case-sensitive.</summary>
internal sealed class TypePatterns
{
    private readonly Regex? _regex;

    public TypePatterns(IEnumerable<string> patterns)
    {
        var parts = patterns
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .Select(p => Regex.Escape(p.Trim()).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal))
            .ToArray();
        _regex = parts.Length == 0 ? null : new Regex("^(?:" + string.Join('|', parts) + ")$", RegexOptions.CultureInvariant);
    }

    public bool IsMatch(string name) => _regex?.IsMatch(name) ?? false;
}
