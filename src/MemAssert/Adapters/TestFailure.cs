using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;

namespace MemoryAssertions.Adapters;

/// <summary>What every adapter says about the test it checks: its name in the report, and where its failure points.</summary>
internal static class TestFailure
{
    /// <summary>
    /// The test as the report quotes it: <c>Class.Method</c>, with the arguments of a parameterised case, e.g.
    /// <c>Cache.Put(3, "order")</c> (test data, shown by the framework in the test's name as well).
    /// </summary>
    public static string Expression(string className, string methodName, IReadOnlyList<object?>? arguments = null)
    {
        var dot = className.LastIndexOf('.');
        var text = new StringBuilder(dot < 0 ? className : className[(dot + 1)..]).Append('.').Append(methodName);
        if (arguments is { Count: > 0 })
        {
            text.Append('(').AppendJoin(", ", arguments.Select(Argument)).Append(')');
        }

        return text.ToString();
    }

    /// <summary>
    /// Gives <paramref name="exception"/> (not yet thrown) a stack trace whose first frame is the user's test method, so
    /// that the failure points at the test and not into MemAssert: <c>at Ns.Class.Method() in File.cs:line N</c>, the
    /// file and line where the test is declared (from its attribute) when known.
    /// </summary>
    public static T At<T>(T exception, MethodInfo? method, string? file, int line)
        where T : Exception
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (method is null)
        {
            return exception;
        }

        var frame = new StringBuilder("   at ")
            .Append((method.ReflectedType ?? method.DeclaringType)?.FullName?.Replace('+', '.'))
            .Append('.').Append(method.Name).Append('(')
            .AppendJoin(", ", method.GetParameters().Select(p => p.ParameterType.Name + " " + p.Name))
            .Append(')');
        if (!string.IsNullOrEmpty(file) && line > 0)
        {
            frame.Append(" in ").Append(file).Append(":line ").Append(line.ToString(CultureInfo.InvariantCulture));
        }

        return (T)ExceptionDispatchInfo.SetRemoteStackTrace(exception, frame.AppendLine().ToString());
    }

    private static string Argument(object? value) => value switch
    {
        null => "null",
        string s => "\"" + (s.Length > 40 ? string.Concat(s.AsSpan(0, 39), "…") : s) + "\"",
        char c => "'" + c + "'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.GetType().Name,
    };
}
