using BenchmarkDotNet.Running;

// Micro-benchmarks of the hot paths, with allocations:
//   dotnet run -c Release --project benchmarks/Tether.Benchmarks.Micro -- --filter '*'
// (add --job short for a quicker, rougher pass).
BenchmarkSwitcher.FromAssembly(typeof(Tether.Benchmarks.Micro.ResponseWritingBenchmarks).Assembly).Run(args);
