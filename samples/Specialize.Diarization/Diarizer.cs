using Specialize.Mixture;

namespace Specialize.Diarization;

/// <summary>Settings of <see cref="Diarizer"/>; the defaults are the papers' (pycasp's diarizer) where they have one.</summary>
public sealed record DiarizerOptions
{
    /// <summary>Clusters of the uniform initial segmentation (K).</summary>
    public int InitialClusters { get; init; } = 16;

    /// <summary>Components of each initial cluster's GMM (M).</summary>
    public int InitialComponents { get; init; } = 5;

    /// <summary>Frames of a re-segmentation segment (2.5 s), over which frames vote for one cluster.</summary>
    public int SegmentFrames { get; init; } = 250;

    /// <summary>Re-segmentation and retraining rounds before the first merge and after each.</summary>
    public int ResegmentationRounds { get; init; } = 2;

    /// <summary>EM iterations of each retraining, and of a merged pair's GMM.</summary>
    public int EmIterations { get; init; } = 3;

    /// <summary>Fewest frames a cluster keeps; one left with fewer is dissolved into the others.</summary>
    public int MinimumClusterFrames { get; init; } = 200;

    /// <summary>How merging stops; see <see cref="StoppingRule"/>.</summary>
    public StoppingRule Stopping { get; init; } = StoppingRule.SizeCorrected;

    /// <summary>
    /// For <see cref="StoppingRule.CrossLikelihood"/> and <see cref="StoppingRule.SizeCorrected"/>: the lowest
    /// cross-likelihood ratio (nats per frame, negative) at which a pair still merges, whatever its clusters' sizes.
    /// Chosen on the tuning meetings only (docs/diarization.md).
    /// </summary>
    public double CrossLikelihoodThreshold { get; init; } = -11;

    /// <summary>
    /// For <see cref="StoppingRule.SizeCorrected"/>: the lowest size-corrected ratio at which a pair still merges
    /// (<see cref="MergeStep.SizeCorrected"/>; nats per frame). Chosen on the tuning meetings only (docs/diarization.md).
    /// </summary>
    public double SizeCorrectedThreshold { get; init; } = -7.5;

    /// <summary>
    /// For <see cref="StoppingRule.SizeCorrected"/>: c in CLR + c (1/n_a + 1/n_b), in frames times nats per frame:
    /// how much a pair of small clusters' ratio is raised for their models' overfitting of their own frames.
    /// </summary>
    public double SizeCorrection { get; init; } = 1000;

    /// <summary>For <see cref="StoppingRule.PerFramePenalty"/>: merge while score / frames exceeds this.</summary>
    public double PerFramePenalty { get; init; } = 1.25;

    /// <summary>How the initial clusters are made.</summary>
    public Initialization Initialization { get; init; } = Initialization.Uniform;

    /// <summary>The GMMs' covariances: <see cref="CovarianceType.Diagonal"/> or <see cref="CovarianceType.Full"/>.</summary>
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;

    /// <summary>Which pair merges first.</summary>
    public PairOrdering Ordering { get; init; } = PairOrdering.CrossLikelihood;

    /// <summary>Seed of the GMMs' initializations.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>A folder to write every cut of the dendrogram to (RTTM per number of merges, and the steps' scores); <see langword="null"/> for none.</summary>
    public string? SnapshotFolder { get; init; }

    /// <summary>Where the GMMs compute (<see cref="GaussianMixtureOptions.Device"/>).</summary>
    public string? Device { get; init; } = "cpu";
}

/// <summary>How the initial clusters are made.</summary>
public enum Initialization
{
    /// <summary>The papers': the speech in time order cut into K equal parts.</summary>
    Uniform,

    /// <summary>K-means of the 2.5 s segments' mean feature vectors into K clusters.</summary>
    SegmentMeans,
}

/// <summary>Which pair of clusters merges first.</summary>
public enum PairOrdering
{
    /// <summary>The papers': the highest merge score L_merged - (L1 + L2).</summary>
    MergeScore,

    /// <summary>The highest cross-likelihood ratio (<see cref="MergeStep.CrossLikelihood"/>).</summary>
    CrossLikelihood,
}

/// <summary>When agglomerative merging stops.</summary>
public enum StoppingRule
{
    /// <summary>The papers' rule: merge the best pair while its score L_merged - (L1 + L2) is above 0.</summary>
    Paper,

    /// <summary>Merge while the best pair's score per frame is above <see cref="DiarizerOptions.PerFramePenalty"/>.</summary>
    PerFramePenalty,

    /// <summary>
    /// Merge while the best pair's cross-likelihood ratio is at least <see cref="DiarizerOptions.CrossLikelihoodThreshold"/>
    /// and its merge score is above 0 (the papers' test still has to pass).
    /// </summary>
    CrossLikelihood,

    /// <summary>
    /// As <see cref="CrossLikelihood"/>, and also the pair's size-corrected ratio
    /// CLR + <see cref="DiarizerOptions.SizeCorrection"/> (1/n_a + 1/n_b) must be at least
    /// <see cref="DiarizerOptions.SizeCorrectedThreshold"/>: large clusters need a ratio near -7.5, small ones (whose
    /// models overfit their own frames, which pulls the ratio of two pieces of one voice down) down to -11.
    /// </summary>
    SizeCorrected,

    /// <summary>Merge down to one cluster, then split the per-frame merge scores into two groups (<see cref="Diarizer.ChooseCut"/>).</summary>
    TwoGroups,
}

/// <summary>One agglomeration step: the best pair among <see cref="Clusters"/> clusters and its merge score.</summary>
/// <param name="Clusters">Clusters before the merge.</param>
/// <param name="Score">L_merged - (L1 + L2), nats.</param>
/// <param name="Frames">Frames of the pair.</param>
/// <param name="PairFrameLabels">Each speech frame's cluster (for tracing which frames the pair held).</param>
/// <param name="A">The pair's first cluster.</param>
/// <param name="B">The pair's second cluster.</param>
public sealed record MergeStep(int Clusters, double Score, int Frames, int[] PairFrameLabels, int A, int B)
{
    /// <summary>The pair's cross-likelihood ratio (nats per frame, at most about 0).</summary>
    public double CrossLikelihood { get; init; }

    /// <summary>Frames of cluster <see cref="A"/>.</summary>
    public int FramesA { get; init; }

    /// <summary>Frames of cluster <see cref="B"/>.</summary>
    public int FramesB { get; init; }

    /// <summary>The score per frame of the pair.</summary>
    public double PerFrame => Score / Frames;

    /// <summary>
    /// <see cref="CrossLikelihood"/> + <paramref name="correction"/> (1 / <see cref="FramesA"/> + 1 / <see cref="FramesB"/>):
    /// the ratio with the bias of small clusters' overfitted models taken out.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="FramesA"/> or <see cref="FramesB"/> is not positive.</exception>
    public double SizeCorrected(double correction) => FramesA > 0 && FramesB > 0
        ? CrossLikelihood + correction * (1.0 / FramesA + 1.0 / FramesB)
        : throw new InvalidOperationException($"The step's {nameof(FramesA)} and {nameof(FramesB)} must be positive for a size-corrected ratio (they are {FramesA} and {FramesB}).");
}

/// <summary>The diarization of a recording.</summary>
/// <param name="Turns">Who spoke when.</param>
/// <param name="Steps">The merges tried, in order.</param>
/// <param name="Speakers">Number of speakers found.</param>
/// <param name="SpeechFrames">The speech frames the steps' labels refer to, by frame index.</param>
public sealed record Diarization(IReadOnlyList<Turn> Turns, IReadOnlyList<MergeStep> Steps, int Speakers, int[] SpeechFrames);

/// <summary>
/// Agglomerative speaker clustering as in the papers' diarizer: a uniform initial segmentation into K clusters with
/// small GMMs; re-segmentation (each 2.5 s segment goes to the cluster most of its frames like best) and retraining;
/// for every pair of clusters a GMM with both pairs' components trained on their union, scored by
/// L_merged - (L1 + L2) (the parameter count is unchanged, so BIC's penalty cancels); the best pair merges. Every GMM is
/// a <see cref="GaussianMixture"/> and the pair scores are one <see cref="Cluster.Map{TRecord, TInvariant, TResult}(IReadOnlyList{TRecord}, TInvariant, Func{TRecord, TInvariant, TResult}, ClusterMapOptions?)"/>
/// per step (ranks under mpiexec, cores otherwise).
/// </summary>
public static class Diarizer
{
    /// <summary>Diarizes a recording's features; speakers are named <c>spk00</c>, <c>spk01</c>, ... by first turn.</summary>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Diarization Run(Features features, DiarizerOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        var state = State.Create(features, options);
        if (state is null)
        {
            return new Diarization([], [], 0, []);
        }

        // Snapshot i is the clustering after i merges. With a snapshot folder, merging goes on down to one cluster
        // whatever the rule says, so that every cut can be scored.
        var steps = new List<MergeStep>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var snapshots = new List<int[]> { state.Resegment() };
        log?.Invoke(FormattableString.Invariant($"initial clusters and re-segmentation: {clock.Elapsed.TotalSeconds:0.00} s"));
        int? stopAt = null;
        while (state.Clusters.Count > 1)
        {
            clock.Restart();
            var step = state.BestPair();
            log?.Invoke(FormattableString.Invariant($"pair scores: {clock.Elapsed.TotalSeconds:0.00} s"));
            steps.Add(step);
            log?.Invoke(FormattableString.Invariant($"{step.Clusters} clusters: best pair {step.Score:0.0} nats over {step.Frames} frames ({step.PerFrame:0.000} per frame), cross-likelihood ratio {step.CrossLikelihood:0.000}"));
            if (Stops(step, options))
            {
                stopAt ??= steps.Count - 1;
                if (options.SnapshotFolder is null)
                {
                    break;
                }
            }

            clock.Restart();
            state.Merge(step.A, step.B);
            snapshots.Add(state.Resegment());
            log?.Invoke(FormattableString.Invariant($"merge and re-segmentation: {clock.Elapsed.TotalSeconds:0.00} s"));
        }

        int cut = options.Stopping == StoppingRule.TwoGroups ? ChooseCut(steps) : stopAt ?? snapshots.Count - 1;
        if (options.SnapshotFolder is { } folder)
        {
            // Every cut, for choosing a stopping rule offline: snapshot i is the clustering after i merges.
            Directory.CreateDirectory(folder);
            for (int i = 0; i < snapshots.Count; i++)
            {
                File.WriteAllText(Path.Combine(folder, $"cut-{i:00}.rttm"), Rttm.Format("meeting", state.Turns(snapshots[i])));
            }

            File.WriteAllLines(Path.Combine(folder, "steps.tsv"), steps.Select(s => FormattableString.Invariant($"{s.Clusters}\t{s.PerFrame:R}\t{s.CrossLikelihood:R}\t{s.Frames}\t{s.FramesA}\t{s.FramesB}")));
        }

        return new Diarization(state.Turns(snapshots[cut]), steps, snapshots[cut].Distinct().Count(), state.SpeechFrames);
    }

    /// <summary>Whether merging stops at <paramref name="step"/> (its pair does not merge) under <paramref name="options"/>' rule.</summary>
    public static bool Stops(MergeStep step, DiarizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(options);
        bool belowRatio = step.CrossLikelihood < options.CrossLikelihoodThreshold || step.Score <= 0;
        return options.Stopping switch
        {
            StoppingRule.Paper => step.Score <= 0,
            StoppingRule.PerFramePenalty => step.PerFrame <= options.PerFramePenalty,
            StoppingRule.CrossLikelihood => belowRatio,
            StoppingRule.SizeCorrected => belowRatio || step.SizeCorrected(options.SizeCorrection) < options.SizeCorrectedThreshold,
            _ => false,
        };
    }

    /// <summary>
    /// How many of the merges to keep, from the per-frame merge scores of the best pair at every step down to one
    /// cluster: the scores split into two groups (the split of the sorted scores with the largest between-group
    /// variance, as Otsu's threshold); the low group are merges of different speakers, one per speaker beyond the
    /// first, so all but that many merges are kept.
    /// </summary>
    public static int ChooseCut(IReadOnlyList<MergeStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count < 2)
        {
            return 0;
        }

        double[] sorted = [.. steps.Select(s => s.PerFrame).Order()];
        return sorted.Length - Otsu.LowCount(sorted);
    }

    /// <summary>What one pair's score needs: the speech frames, which cluster each is in, and each cluster's model.</summary>
    public sealed class PairData
    {
        /// <summary>Speech frames, row-major, <see cref="Dimension"/> per frame.</summary>
        public double[] Frames = [];

        /// <summary>Coefficients per frame.</summary>
        public int Dimension;

        /// <summary>Each frame's cluster.</summary>
        public int[] Labels = [];

        /// <summary>Each cluster's GMM weights.</summary>
        public double[][] Weights = [];

        /// <summary>Each cluster's GMM means, components x dimension, row-major.</summary>
        public double[][] Means = [];

        /// <summary>Each cluster's GMM precisions: components x dimension (diagonal) or components x dimension x dimension (full), row-major.</summary>
        public double[][] Precisions = [];

        /// <summary>Whether the GMMs have full covariances (otherwise diagonal).</summary>
        public bool Full;

        /// <summary>Each cluster's total log-likelihood of its own frames under its own GMM.</summary>
        public double[] LogLikelihoods = [];

        /// <summary>EM iterations of the merged GMM.</summary>
        public int Iterations;

        /// <summary>Where the GMMs compute.</summary>
        public string? Device;
    }

    /// <summary>A pair of clusters.</summary>
    public readonly record struct Pair(int A, int B);

    /// <summary>L_merged - (L1 + L2) for one pair: the GMM with both clusters' components, trained on their union.</summary>
    public static double MergeScore(Pair pair, PairData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var model = MergedModel(pair, data, out double[,] rows);
        return Total(model, rows) - (data.LogLikelihoods[pair.A] + data.LogLikelihoods[pair.B]);
    }

    // The frames labelled a or b, in order, as rows of d values (b = -1 for one cluster's).
    private static double[,] Gather(double[] frames, int d, int[] labels, int a, int b)
    {
        int count = 0, r = 0;
        foreach (int l in labels)
        {
            count += l == a || l == b ? 1 : 0;
        }

        var rows = new double[count, d];
        for (int f = 0; f < labels.Length; f++)
        {
            if (labels[f] == a || labels[f] == b)
            {
                Buffer.BlockCopy(frames, f * d * sizeof(double), rows, r * d * sizeof(double), d * sizeof(double));
                r++;
            }
        }

        return rows;
    }

    internal static GaussianMixture MergedModel(Pair pair, PairData data, out double[,] rows)
    {
        int d = data.Dimension, countA = data.Labels.Count(l => l == pair.A);
        rows = Gather(data.Frames, d, data.Labels, pair.A, pair.B);
        double share = (double)countA / rows.GetLength(0);
        double[] weights = [.. data.Weights[pair.A].Select(w => w * share), .. data.Weights[pair.B].Select(w => w * (1 - share))];
        var model = new GaussianMixture(Options(weights.Length, data.Iterations, data.Device, 0, data.Full) with
        {
            WeightsInit = weights,
            MeansInit = Matrix([.. data.Means[pair.A], .. data.Means[pair.B]], d),
            PrecisionsInit = Precisions([.. data.Precisions[pair.A], .. data.Precisions[pair.B]], d, data.Full),
        });
        return model.Fit(rows);
    }

    internal static double Total(GaussianMixture model, double[,] rows) => model.ScoreSamples(rows).Sum();

    internal static GaussianMixtureOptionsBuilder Options(int components, int iterations, string? device, int seed, bool full) =>
        new(components, iterations, device, seed, full);

    internal static Array Precisions(double[] flat, int d, bool full)
    {
        if (!full)
        {
            return Matrix(flat, d);
        }

        var p = new double[flat.Length / (d * d), d, d];
        Buffer.BlockCopy(flat, 0, p, 0, flat.Length * sizeof(double));
        return p;
    }

    internal static double[,] Matrix(double[] flat, int columns)
    {
        var m = new double[flat.Length / columns, columns];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }

    /// <summary>GaussianMixtureOptions are init-only; this gathers what varies between the diarizer's fits.</summary>
    internal sealed record GaussianMixtureOptionsBuilder(int Components, int Iterations, string? Device, int Seed, bool Full)
    {
        public double[]? WeightsInit { get; init; }

        public double[,]? MeansInit { get; init; }

        public Array? PrecisionsInit { get; init; }

        public static implicit operator GaussianMixtureOptions(GaussianMixtureOptionsBuilder b) => new()
        {
            Components = b.Components,
            CovarianceType = b.Full ? CovarianceType.Full : CovarianceType.Diagonal,
            MaxIterations = b.Iterations,
            Tolerance = 1e-4,
            Regularization = 1e-3,
            Init = b.MeansInit is null ? GmmInit.KMeans : GmmInit.Random,
            Seed = b.Seed,
            Device = b.Device,
            WeightsInit = b.WeightsInit,
            MeansInit = b.MeansInit,
            PrecisionsInit = b.PrecisionsInit,
        };
    }

    private sealed class State
    {
        private readonly DiarizerOptions options;
        private readonly double[,] x;
        private readonly double[] flat;
        private readonly GmmData all;
        private readonly int[] speechFrames;
        private readonly (int Start, int End)[] segments;
        private readonly int[] segmentOf;
        private int[] labels;

        private State(DiarizerOptions options, double[,] x, int[] speechFrames, (int, int)[] segments, int[] initial)
        {
            this.options = options;
            this.x = x;
            flat = new double[x.Length];
            Buffer.BlockCopy(x, 0, flat, 0, x.Length * sizeof(double));
            this.speechFrames = speechFrames;
            this.segments = segments;
            all = GmmData.FromMatrix(x);
            segmentOf = new int[speechFrames.Length];
            for (int s = 0; s < segments.Length; s++)
            {
                for (int f = segments[s].Item1; f < segments[s].Item2; f++)
                {
                    segmentOf[f] = s;
                }
            }

            labels = initial;
            int k = initial.Max() + 1;
            for (int c = 0; c < k; c++)
            {
                Clusters.Add(Fresh(Rows(c), options.InitialComponents, c));
            }
        }

        public List<GaussianMixture> Clusters { get; } = [];

        public int[] SpeechFrames => speechFrames;

        public static State? Create(Features features, DiarizerOptions options)
        {
            int[] speech = [.. Enumerable.Range(0, features.Count).Where(f => features.Speech[f])];
            int n = speech.Length, d = Features.Dimension;
            int k = Math.Min(options.InitialClusters, n / options.MinimumClusterFrames);
            if (k < 1)
            {
                return null;
            }

            // Mean and variance normalization: the scores compare likelihoods of the same frames, so this changes
            // nothing but the conditioning of EM.
            var x = new double[n, d];
            for (int i = 0; i < d; i++)
            {
                double mean = 0, square = 0;
                for (int r = 0; r < n; r++)
                {
                    mean += features.Mfcc[speech[r], i];
                }

                mean /= n;
                for (int r = 0; r < n; r++)
                {
                    double v = features.Mfcc[speech[r], i] - mean;
                    square += v * v;
                }

                double scale = 1 / Math.Sqrt(square / n + 1e-12);
                for (int r = 0; r < n; r++)
                {
                    x[r, i] = (features.Mfcc[speech[r], i] - mean) * scale;
                }
            }

            // Segments: each run of speech frames (consecutive in time), cut into equal pieces of at most SegmentFrames.
            var segments = new List<(int, int)>();
            int start = 0;
            for (int r = 1; r <= n; r++)
            {
                if (r == n || speech[r] != speech[r - 1] + 1)
                {
                    int length = r - start, pieces = (length + options.SegmentFrames - 1) / options.SegmentFrames;
                    for (int p = 0; p < pieces; p++)
                    {
                        segments.Add((start + p * length / pieces, start + (p + 1) * length / pieces));
                    }

                    start = r;
                }
            }

            var initial = options.Initialization == Initialization.Uniform ? Uniform(n, k) : SegmentMeans(x, segments, k, options.Seed);
            return new State(options, x, speech, [.. segments], initial);
        }

        // The papers' initialization: the speech, in time order, cut into K equal parts.
        private static int[] Uniform(int n, int k)
        {
            var initial = new int[n];
            for (int r = 0; r < n; r++)
            {
                initial[r] = (int)((long)r * k / n);
            }

            return initial;
        }

        // K-means (k-means++ seeding, Lloyd's iterations) of the segments' mean vectors: each initial cluster holds
        // whole segments that sound alike instead of a stretch of time with several speakers in it.
        private static int[] SegmentMeans(double[,] x, List<(int Start, int End)> segments, int k, int seed)
        {
            int d = x.GetLength(1), s = segments.Count;
            k = Math.Min(k, s);
            var means = new double[s][];
            var weights = new double[s];
            for (int i = 0; i < s; i++)
            {
                var (start, end) = segments[i];
                means[i] = new double[d];
                for (int f = start; f < end; f++)
                {
                    for (int j = 0; j < d; j++)
                    {
                        means[i][j] += x[f, j] / (end - start);
                    }
                }

                weights[i] = end - start;
            }

            static double Distance(double[] a, double[] b)
            {
                double sum = 0;
                for (int j = 0; j < a.Length; j++)
                {
                    sum += (a[j] - b[j]) * (a[j] - b[j]);
                }

                return sum;
            }

            var random = new Random(seed);
            var centers = new List<double[]> { (double[])means[random.Next(s)].Clone() };
            var nearest = means.Select(m => Distance(m, centers[0])).ToArray();
            while (centers.Count < k)
            {
                double total = nearest.Select((v, i) => v * weights[i]).Sum(), pick = random.NextDouble() * total;
                int chosen = s - 1;
                for (int i = 0; i < s; i++)
                {
                    pick -= nearest[i] * weights[i];
                    if (pick <= 0)
                    {
                        chosen = i;
                        break;
                    }
                }

                centers.Add((double[])means[chosen].Clone());
                for (int i = 0; i < s; i++)
                {
                    nearest[i] = Math.Min(nearest[i], Distance(means[i], centers[^1]));
                }
            }

            var assignment = new int[s];
            for (int iteration = 0; iteration < 50; iteration++)
            {
                bool changed = false;
                for (int i = 0; i < s; i++)
                {
                    int best = 0;
                    for (int c = 1; c < k; c++)
                    {
                        if (Distance(means[i], centers[c]) < Distance(means[i], centers[best]))
                        {
                            best = c;
                        }
                    }

                    changed |= best != assignment[i];
                    assignment[i] = best;
                }

                if (!changed && iteration > 0)
                {
                    break;
                }

                for (int c = 0; c < k; c++)
                {
                    double mass = 0;
                    var center = new double[d];
                    for (int i = 0; i < s; i++)
                    {
                        if (assignment[i] == c)
                        {
                            mass += weights[i];
                            for (int j = 0; j < d; j++)
                            {
                                center[j] += weights[i] * means[i][j];
                            }
                        }
                    }

                    if (mass > 0)
                    {
                        centers[c] = [.. center.Select(v => v / mass)];
                    }
                }
            }

            // Clusters numbered by first segment, and none empty.
            var order = new Dictionary<int, int>();
            foreach (int a in assignment)
            {
                order.TryAdd(a, order.Count);
            }

            var initial = new int[x.GetLength(0)];
            for (int i = 0; i < s; i++)
            {
                Array.Fill(initial, order[assignment[i]], segments[i].Start, segments[i].End - segments[i].Start);
            }

            return initial;
        }

        private GaussianMixture Fresh(double[,] rows, int components, int salt) =>
            new GaussianMixture(Options(Math.Min(components, rows.GetLength(0)), 10, options.Device, options.Seed + salt, Full)).Fit(rows);

        private GaussianMixture Retrain(GaussianMixture model, double[,] rows)
        {
            int m = model.Weights.Length;
            var (means, precisions) = Parameters(model);
            return new GaussianMixture(Options(m, options.EmIterations, options.Device, options.Seed, Full) with
            {
                WeightsInit = model.Weights,
                MeansInit = Matrix(means, Features.Dimension),
                PrecisionsInit = Precisions(precisions, Features.Dimension, Full),
            }).Fit(rows);
        }

        private bool Full => options.CovarianceType == CovarianceType.Full;

        // Means and precisions (P P^T from the precisions' Cholesky factors P; their diagonals when diagonal), flat.
        private (double[] Means, double[] Precisions) Parameters(GaussianMixture model)
        {
            var means = model.Means;
            var cholesky = model.PrecisionsCholesky;
            int m = means.GetLength(0), d = means.GetLength(1);
            var mu = new double[m * d];
            var precisions = new double[Full ? m * d * d : m * d];
            for (int k = 0; k < m; k++)
            {
                for (int i = 0; i < d; i++)
                {
                    mu[k * d + i] = means[k, i];
                    if (!Full)
                    {
                        precisions[k * d + i] = cholesky[k, i, i] * cholesky[k, i, i];
                        continue;
                    }

                    for (int j = 0; j < d; j++)
                    {
                        double sum = 0;
                        for (int t = 0; t < d; t++)
                        {
                            sum += cholesky[k, i, t] * cholesky[k, j, t];
                        }

                        precisions[(k * d + i) * d + j] = sum;
                    }
                }
            }

            return (mu, precisions);
        }

        private double[,] Rows(int cluster) => Gather(flat, x.GetLength(1), labels, cluster, -1);

        /// <summary>Re-segments and retrains <see cref="DiarizerOptions.ResegmentationRounds"/> times; returns the labels.</summary>
        public int[] Resegment()
        {
            for (int round = 0; round < options.ResegmentationRounds; round++)
            {
                var scores = Clusters.Select(c => c.ScoreSamples(all)).ToArray();
                var alive = Enumerable.Range(0, Clusters.Count).ToList();
                int[] vote;
                while (true)
                {
                    vote = Vote(scores, alive);
                    var small = alive.Where(c => vote.Count(l => l == c) < options.MinimumClusterFrames).ToList();
                    if (small.Count == 0 || small.Count == alive.Count)
                    {
                        break;
                    }

                    // Dissolve the smallest, then vote again among the rest.
                    alive.Remove(small.OrderBy(c => vote.Count(l => l == c)).First());
                }

                // Renumber the surviving clusters 0.. in order and retrain them on their frames.
                var renumber = new int[Clusters.Count];
                for (int i = 0; i < alive.Count; i++)
                {
                    renumber[alive[i]] = i;
                }

                labels = [.. vote.Select(l => renumber[l])];
                var kept = alive.Select(c => Clusters[c]).ToList();
                Clusters.Clear();
                for (int c = 0; c < kept.Count; c++)
                {
                    Clusters.Add(Retrain(kept[c], Rows(c)));
                }
            }

            return (int[])labels.Clone();
        }

        private int[] Vote(double[][] scores, List<int> alive)
        {
            var result = new int[labels.Length];
            var counts = new int[scores.Length];
            foreach (var (start, end) in segments)
            {
                Array.Clear(counts);
                for (int f = start; f < end; f++)
                {
                    int best = alive[0];
                    foreach (int c in alive)
                    {
                        if (scores[c][f] > scores[best][f])
                        {
                            best = c;
                        }
                    }

                    counts[best]++;
                }

                int winner = alive.OrderByDescending(c => counts[c]).ThenBy(c => c).First();
                Array.Fill(result, winner, start, end - start);
            }

            return result;
        }

        public MergeStep BestPair()
        {
            int k = Clusters.Count, d = Features.Dimension;
            var parameters = Clusters.Select(Parameters).ToArray();

            // Every frame's log-likelihood under every cluster's GMM: each cluster's own total, and the cross-likelihoods.
            var ll = Clusters.Select(c => c.ScoreSamples(all)).ToArray();
            var cross = new double[k, k];
            var counts = new int[k];
            foreach (int l in labels)
            {
                counts[l]++;
            }

            for (int f = 0; f < labels.Length; f++)
            {
                for (int c = 0; c < k; c++)
                {
                    cross[labels[f], c] += ll[c][f];
                }
            }

            var data = new PairData
            {
                Frames = flat,
                Dimension = d,
                Labels = labels,
                Weights = [.. Clusters.Select(c => c.Weights)],
                Means = [.. parameters.Select(p => p.Means)],
                Precisions = [.. parameters.Select(p => p.Precisions)],
                Full = Full,
                LogLikelihoods = [.. Enumerable.Range(0, k).Select(c => cross[c, c])],
                Iterations = options.EmIterations,
                Device = options.Device,
            };
            double Clr(Pair p) => (cross[p.A, p.B] - cross[p.A, p.A]) / counts[p.A] + (cross[p.B, p.A] - cross[p.B, p.B]) / counts[p.B];
            var candidates = new List<Pair>();
            for (int a = 0; a < k; a++)
            {
                for (int b = a + 1; b < k; b++)
                {
                    candidates.Add(new Pair(a, b));
                }
            }

            // Under the cross-likelihood rules only pairs at or above CrossLikelihoodThreshold can merge, so only theirs need the
            // merged GMM (and, when there are none, the best pair's, for the step's record and a snapshot run's merge).
            bool byLikelihood = options.Ordering == PairOrdering.CrossLikelihood && options.Stopping is StoppingRule.CrossLikelihood or StoppingRule.SizeCorrected;
            var bestClr = candidates.MaxBy(Clr);
            List<Pair> pairs = byLikelihood ? [.. candidates.Where(p => Clr(p) >= options.CrossLikelihoodThreshold)] : candidates;
            if (pairs.Count == 0)
            {
                pairs.Add(bestClr);
            }

            double[] scores = Cluster.Map(pairs, data, MergeScore);
            int best = 0;
            for (int p = 1; p < scores.Length; p++)
            {
                // Cross-likelihood rule: the highest ratio among the pairs whose merge score is positive, when any is.
                bool better = !byLikelihood ? options.Ordering == PairOrdering.CrossLikelihood ? Clr(pairs[p]) > Clr(pairs[best]) : scores[p] > scores[best]
                    : (scores[p] > 0, Clr(pairs[p])).CompareTo((scores[best] > 0, Clr(pairs[best]))) > 0;
                if (better)
                {
                    best = p;
                }
            }

            var pair = pairs[best];
            lastData = data;
            return new MergeStep(k, scores[best], counts[pair.A] + counts[pair.B], (int[])labels.Clone(), pair.A, pair.B) { CrossLikelihood = Clr(pair), FramesA = counts[pair.A], FramesB = counts[pair.B] };
        }

        private PairData? lastData;

        public void Merge(int a, int b)
        {
            var merged = MergedModel(new Pair(a, b), lastData!, out _);
            for (int f = 0; f < labels.Length; f++)
            {
                labels[f] = labels[f] == b ? a : labels[f] > b ? labels[f] - 1 : labels[f];
            }

            Clusters[a] = merged;
            Clusters.RemoveAt(b);
        }

        /// <summary>Turns from speech-frame labels: runs of one label, same-speaker pauses under 0.5 s bridged, each ending 0.1 s after its last frame's start.</summary>
        public List<Turn> Turns(int[] frameLabels)
        {
            // Name speakers in order of first appearance.
            var names = new Dictionary<int, string>();
            foreach (int l in frameLabels)
            {
                if (!names.ContainsKey(l))
                {
                    names[l] = $"spk{names.Count:00}";
                }
            }

            var turns = new List<Turn>();
            int startFrame = speechFrames.Length > 0 ? speechFrames[0] : 0, last = startFrame;
            for (int r = 1; r <= speechFrames.Length; r++)
            {
                bool split = r == speechFrames.Length || frameLabels[r] != frameLabels[r - 1]
                    || speechFrames[r] - speechFrames[r - 1] > 50;
                if (split)
                {
                    last = speechFrames[r - 1];
                    // A turn ends 0.1 s after its last speech frame starts: the frame's window is 25 ms long, and speech
                    // fades under the energy threshold before it stops (within the scoring collar either way).
                    double end = last * Features.Hop + 0.1;
                    if (r < speechFrames.Length)
                    {
                        end = Math.Min(end, speechFrames[r] * Features.Hop);
                    }

                    turns.Add(new Turn(startFrame * Features.Hop, end - startFrame * Features.Hop, names[frameLabels[r - 1]]));
                    if (r < speechFrames.Length)
                    {
                        startFrame = speechFrames[r];
                    }
                }
            }

            return turns;
        }
    }
}
