namespace Specialize.Mixture;

/// <summary>The floating-point type EM computes in (<see cref="GaussianMixtureOptions.Precision"/>).</summary>
public enum ComputePrecision
{
    /// <summary>The data's own type: float32 for <see langword="float"/> rows, float64 for <see langword="double"/> rows.</summary>
    Auto,

    /// <summary>float64, whatever the data's type (float rows are widened exactly).</summary>
    Double,

    /// <summary>float32, whatever the data's type (double rows are rounded); the log-sum-exp and the lower bound stay in double.</summary>
    Single,
}
