using Specialize.Bench;
using Specialize.Bench.Blb;
using Specialize.Bench.Charts;
using Specialize.Bench.Cluster;
using Specialize.Bench.Futures;
using Specialize.Bench.Glm;
using Specialize.Bench.Mixture;

// Specialize benchmarks: each suite compares a pattern's generated code against its own sequential
// baseline in this one process, prints a table and rewrites its section of docs/benchmarks.md.
//
//   Specialize.Bench [SUITE | SUITE:WORKLOAD ...] [--smoke] [--rounds N] [--grid-rows N] [--grid-shape NxDxM ...] [--sites] [--docs PATH | --no-docs] [--charts]
//
// No suite named: every suite. A SUITE:WORKLOAD filter, --smoke (small sizes, to check that
// everything runs and agrees) and --no-docs print results without touching the document; --sites
// prints what each future site's cost model learned. A suite that writes its section redraws its charts
// (eng/bench/Specialize.Bench/Charts) from it; --charts only redraws every chart from the document. (--first-run WORKLOAD [--sites] is the child
// process the futures suite starts to time a first run.)

// A fresh process that the futures suite starts to time a workload's first run.
if (args is [FirstRun.ChildOption, string firstRunWorkload, ..] && args.Skip(2).All(static a => a == "--sites"))
{
    return FirstRun.RunChild(firstRunWorkload, sites: args.Length > 2);
}

// The cluster suite's child processes (alone, or each rank of an mpiexec job) run one workload and print its times.
if (args.Length >= 3 && args[0] == ClusterWorkloads.Flag)
{
    return ClusterWorkloads.Run(args);
}

if (!BenchOptions.TryParse(args, out BenchOptions? options, out string? error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var suites = new Dictionary<string, (string[] Workloads, Func<BenchOptions, Func<string, bool>, SuiteResult> Run)>(StringComparer.OrdinalIgnoreCase)
{
    [FuturesSuite.Name] = (FuturesSuite.Workloads, FuturesSuite.Run),
    [BlbSuite.Name] = (BlbSuite.Workloads, BlbSuite.Run),
    [MixtureSuite.Name] = (MixtureSuite.Workloads, MixtureSuite.Run),
    [ClusterSuite.Name] = (ClusterSuite.Workloads, ClusterSuite.Run),
    [GlmSuite.Name] = (GlmSuite.Workloads, GlmSuite.Run),
};

foreach (BenchFilter filter in options.Filters)
{
    if (!suites.TryGetValue(filter.Suite, out var suite) || (filter.Workload is { } w && !suite.Workloads.Contains(w, StringComparer.OrdinalIgnoreCase)))
    {
        Console.Error.WriteLine($"Unknown suite or workload '{filter}'. Known: "
            + string.Join(", ", suites.SelectMany(s => s.Value.Workloads.Select(x => $"{s.Key}:{x}").Prepend(s.Key))));
        return 2;
    }
}

string? documentPath = options.NoDocs ? null : options.DocsPath ?? BenchmarkDocument.FindDefault();
if (options.ChartsOnly)
{
    if (documentPath is null || !File.Exists(documentPath))
    {
        Console.Error.WriteLine($"--charts: no benchmark document at '{documentPath}'.");
        return 2;
    }

    foreach (string chart in BenchmarkCharts.DrawAll(documentPath))
    {
        Console.WriteLine($"drew {chart}");
    }

    return 0;
}

Console.WriteLine(MachineInfo.Describe());
foreach (var (name, suite) in suites)
{
    if (!options.SelectsSuite(name))
    {
        continue;
    }

    SuiteResult result = suite.Run(options, workload => options.SelectsWorkload(name, workload));

    // A table belongs in the document only when it is complete and measured at full size.
    if (documentPath is not null && !options.Smoke && options.SelectsWholeSuite(name))
    {
        BenchmarkDocument.WriteSection(documentPath, result.Suite, result.Markdown);
        Console.WriteLine($"{name}: wrote its section of {documentPath}");
        foreach (string chart in BenchmarkCharts.Draw(documentPath, result.Suite))
        {
            Console.WriteLine($"{name}: drew {chart}");
        }
    }
}

return 0;
