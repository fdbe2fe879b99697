using System;
using Specialize.Tests;
using Specialize.Variants;

namespace Specialize.Generator.Tests.Gmm;

/// <summary>
/// Generated <c>[GmmTrain]</c> methods use <see cref="TuningStore.Default"/>, whose path the runtime reads once per
/// process from <c>SPECIALIZE_TUNING_FILE</c>: the tests point it into a folder of their own, removed when they end,
/// never into the user's cache folder.
/// </summary>
internal static class GeneratedCodeTuning
{
    /// <summary>The tuning file every generated method in this test process uses.</summary>
    public static string File { get; } = Configure();

    /// <summary>Sets the environment variable, once, before any generated method runs.</summary>
    public static void EnsureConfigured() => _ = File;

    private static string Configure()
    {
        string file = TemporaryFolder.ForProcess("gmmtrain-tuning").Combine("tuning.json");
        Environment.SetEnvironmentVariable(TuningStore.PathVariable, file);
        return file;
    }
}
