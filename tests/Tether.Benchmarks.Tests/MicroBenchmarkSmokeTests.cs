using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Tether.Benchmarks.Tests;

/// <summary>Every micro-benchmark runs once per parameter combination: they keep compiling and working (never timed).</summary>
public class MicroBenchmarkSmokeTests
{
    public static TheoryData<string> BenchmarkClasses() =>
        new(typeof(Micro.ResponseWritingBenchmarks).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute))))
            .Select(t => t.FullName!));

    [Theory]
    [MemberData(nameof(BenchmarkClasses))]
    public async Task EveryBenchmarkMethodRunsOnceWithEachParameterCombination(string typeName)
    {
        var type = typeof(Micro.ResponseWritingBenchmarks).Assembly.GetType(typeName)!;
        var benchmarks = type.GetMethods().Where(m => m.IsDefined(typeof(BenchmarkAttribute))).ToList();
        int invoked = 0;
        foreach (var combination in ParameterCombinations(type))
        {
            object instance = Activator.CreateInstance(type)!;
            foreach (var (property, value) in combination)
            {
                property.SetValue(instance, value);
            }

            Invoke<GlobalSetupAttribute>(instance);
            foreach (var benchmark in benchmarks)
            {
                object? result = benchmark.Invoke(instance, null);
                if (result is Task task)
                {
                    await task;
                }

                invoked++;
            }

            Invoke<GlobalCleanupAttribute>(instance);
            (instance as IDisposable)?.Dispose();
        }

        Assert.True(invoked >= benchmarks.Count, $"{typeName}: {invoked} invocations");
    }

    private static void Invoke<TAttribute>(object instance)
        where TAttribute : Attribute
    {
        foreach (var method in instance.GetType().GetMethods().Where(m => m.IsDefined(typeof(TAttribute))))
        {
            method.Invoke(instance, null);
        }
    }

    /// <summary>Every combination of the [Params] values of a benchmark class.</summary>
    private static IEnumerable<List<(PropertyInfo Property, object? Value)>> ParameterCombinations(Type type)
    {
        IEnumerable<List<(PropertyInfo, object?)>> combinations = [[]];
        foreach (var property in type.GetProperties().Where(p => p.IsDefined(typeof(ParamsAttribute))))
        {
            object?[] values = property.GetCustomAttribute<ParamsAttribute>()!.Values;
            combinations = combinations.SelectMany(c => values.Select(v => new List<(PropertyInfo, object?)>(c) { (property, v) })).ToList();
        }

        return combinations;
    }
}
