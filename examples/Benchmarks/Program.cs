using BenchmarkDotNet.Running;

// dotnet run -c Release --project examples/Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
