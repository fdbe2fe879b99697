using System.Diagnostics;
using Specialize.Futures;
using Specialize.Samples;
using Specialize.Sorting;

// Sorts with the library's merge sort. The library was compiled with Specialize, and so is this
// program: the call below is routed to the library's parallel twin, whose halves run as futures.
int length = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
var random = new Random(12);
int[] values = Enumerable.Range(0, length).Select(_ => random.Next()).ToArray();
int[][] batches = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, length / 16).Select(_ => random.Next()).ToArray()).ToArray();

long pairBefore = FutureRuntime.Spawned;
long checksum = Sorts.ChecksumPair(values, batches[0]);
long pairSpawned = FutureRuntime.Spawned - pairBefore;

long spawnedBefore = FutureRuntime.Spawned;
var watch = Stopwatch.StartNew();
(int[] sorted, int[][] sortedBatches) = ConsoleProgress.Run($"sorting {length:N0} values and {batches.Length} batches", 2, steps =>
{
    int[] all = Sorts.MergeSort(values);
    steps.Done();
    int[][] each = Sorts.SortEach(batches);
    steps.Done();
    return (all, each);
});
watch.Stop();

bool correct = sorted.AsSpan().SequenceEqual(values.Order().ToArray())
    && sortedBatches.Zip(batches).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second.Order().ToArray()));
Console.WriteLine($"sorted {length:N0} values and {batches.Length} batches in {watch.Elapsed.TotalMilliseconds:F0} ms; correct: {correct}");
Console.WriteLine($"futures spawned: {FutureRuntime.Spawned - spawnedBefore}");
Console.WriteLine($"checksum {checksum}; futures spawned by the checksums: {pairSpawned}");
return correct ? 0 : 1;
