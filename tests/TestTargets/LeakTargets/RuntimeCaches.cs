using System.Linq.Expressions;

namespace LeakTargets;

/// <summary>Clean code that fills the runtime's own bounded caches, one entry per call, over more calls than a check makes.</summary>
internal static class RuntimeCaches
{
    /// <summary><c>(n++).ToString()</c>: the runtime keeps the strings of small numbers in a lazily filled cache.</summary>
    public static Action FormatNextNumber()
    {
        var n = 0;
        return () => _ = (n++).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A lambda with a new constant compiled and called on each call, then dropped.</summary>
    public static Action CompileWithNextConstant()
    {
        var n = 0;
        var x = Expression.Parameter(typeof(int), "x");
        return () =>
        {
            var lambda = Expression.Lambda<Func<int, int>>(Expression.Add(x, Expression.Constant(n++)), x);
            _ = lambda.Compile()(1);
        };
    }
}
