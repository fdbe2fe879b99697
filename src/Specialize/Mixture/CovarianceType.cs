namespace Specialize.Mixture;

/// <summary>
/// The form of each component's covariance matrix, as scikit-learn's <c>covariance_type</c>.
/// </summary>
public enum CovarianceType
{
    /// <summary>Each component has its own general covariance matrix (<c>'full'</c>).</summary>
    Full = 0,

    /// <summary>All components share one general covariance matrix (<c>'tied'</c>).</summary>
    Tied = 1,

    /// <summary>Each component has its own diagonal covariance matrix (<c>'diag'</c>).</summary>
    Diagonal = 2,

    /// <summary>Each component has its own single variance (<c>'spherical'</c>).</summary>
    Spherical = 3,
}
