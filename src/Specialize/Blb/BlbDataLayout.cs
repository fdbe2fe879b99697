namespace Specialize;

/// <summary>How the rows of a subsample reach the estimator.</summary>
public enum BlbDataLayout
{
    /// <summary>Let the runtime decide per run: load in when the copy is reused by more than one bootstrap and the copies of all threads fit in 256 MiB.</summary>
    Auto = 0,

    /// <summary>The subsample rows are copied once per subsample into a contiguous buffer, reused by all its bootstraps.</summary>
    LoadIn = 1,

    /// <summary>The estimator reads the original data through the subsample's row indices.</summary>
    Indirection = 2,
}
