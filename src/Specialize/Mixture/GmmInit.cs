namespace Specialize.Mixture;

/// <summary>
/// How the responsibilities that start EM are chosen, as scikit-learn's <c>init_params</c>.
/// Ignored for a parameter given through <see cref="GaussianMixtureOptions.WeightsInit"/>,
/// <see cref="GaussianMixtureOptions.MeansInit"/> or <see cref="GaussianMixtureOptions.PrecisionsInit"/>.
/// </summary>
public enum GmmInit
{
    /// <summary>Labels of a k-means clustering (Lloyd's algorithm from k-means++ seeds) (<c>'kmeans'</c>).</summary>
    KMeans = 0,

    /// <summary>One k-means++ seed row per component (<c>'k-means++'</c>).</summary>
    KMeansPlusPlus = 1,

    /// <summary>Uniformly random responsibilities, normalized per row (<c>'random'</c>).</summary>
    Random = 2,

    /// <summary>One distinct row of the data, drawn uniformly, per component (<c>'random_from_data'</c>).</summary>
    RandomFromData = 3,
}
