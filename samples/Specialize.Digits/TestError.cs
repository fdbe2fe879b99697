using Specialize;

namespace Specialize.Digits;

/// <summary>
/// The classifier's error rate on a set of digits — the estimator whose quality BLB assesses.
/// Written as plain C#; the generator rewrites the loop into a weighted loop over subsample rows.
/// </summary>
[BlbEstimator]
public static partial class TestError
{
    public static double Estimate(ReadOnlySpan<Digit> digits, [NoSubsample] LinearModel model)
    {
        double errors = 0;
        foreach (Digit digit in digits)
        {
            int predicted = model.Classify(digit.Pixels);
            if (predicted != digit.Label)
            {
                errors += 1;
            }
        }

        return errors / digits.Length;
    }
}
