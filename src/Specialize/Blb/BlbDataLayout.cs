namespace Specialize;

/// <summary>How the rows of a subsample reach the estimator.</summary>
public enum BlbDataLayout
{
    /// <summary>Let the runtime decide per run from the subsample's size and the CPU's L2 cache.</summary>
    Auto = 0,

    /// <summary>The subsample rows are copied once per subsample into a contiguous buffer, reused by all its bootstraps.</summary>
    LoadIn = 1,

    /// <summary>The estimator reads the original data through the subsample's row indices.</summary>
    Indirection = 2,
}
