using System;

namespace Specialize;

/// <summary>
/// Marks a parameter of a <see cref="BlbEstimatorAttribute"/> estimator that is passed through
/// unchanged (a model, a table of constants) instead of being subsampled and weighted.
/// Loops over such a parameter stay as they are written.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NoSubsampleAttribute : Attribute
{
}
