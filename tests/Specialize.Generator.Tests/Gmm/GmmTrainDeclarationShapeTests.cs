using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Specialize.Mixture;
using Specialize.Testing;
using Specialize.Variants;
using Xunit;

namespace Specialize.Generator.Tests.Gmm;

/// <summary>
/// Unusual but legal declarations of <c>[GmmTrain]</c> methods: each must get an implementation that compiles under the
/// harness's strict settings (the harness fails on any error or warning), and a few are run to show they train.
/// </summary>
public sealed class GmmTrainDeclarationShapeTests
{
    static GmmTrainDeclarationShapeTests()
    {
        GeneratedCodeTuning.EnsureConfigured();
    }

    private const string Row = """
        namespace Rows;

        public struct P2
        {
            public double X;
            public double Y;
        }

        public static class Points
        {
            public static P2[] Two(double[] flat)
            {
                var rows = new P2[flat.Length / 2];
                for (int n = 0; n < rows.Length; n++)
                {
                    rows[n] = new P2 { X = flat[2 * n], Y = flat[(2 * n) + 1] };
                }

                return rows;
            }
        }
        """;

    /// <summary>Returns the means of the two components, lower first by X.</summary>
    private static double[] Means(GaussianMixture model) =>
        model.Means[0, 0] < model.Means[1, 0]
            ? [model.Means[0, 0], model.Means[0, 1], model.Means[1, 0], model.Means[1, 1]]
            : [model.Means[1, 0], model.Means[1, 1], model.Means[0, 0], model.Means[0, 1]];

    private static double[] Clusters()
    {
        var flat = new double[400];
        for (int n = 0; n < 200; n++)
        {
            double centre = n % 2 == 0 ? -10 : 10;
            flat[2 * n] = centre + ((n % 7) * 0.1);
            flat[(2 * n) + 1] = centre - ((n % 5) * 0.1);
        }

        return flat;
    }

    [Fact]
    public void Method_named_with_a_keyword_keeps_its_escape()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            public static partial class Trainer
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture @default(ReadOnlySpan<P2> rows);

                public static GaussianMixture Fit(double[] flat) => @default(Points.Two(flat));
            }
            """]);

        Assert.Contains("GaussianMixture @default(", run.Source(".GmmTrain.g.cs"), StringComparison.Ordinal);
        var model = (GaussianMixture)run.Invoke("Trainer", "Fit", Clusters())!;
        Assert.Equal(-10, Math.Round(Means(model)[0]));
    }

    [Fact]
    public void Overloads_over_a_span_and_an_array_in_one_class_are_both_implemented()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            namespace Demo;

            public static partial class Trainer
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> rows);

                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(P2[] rows);

                public static double[] Both(double[] flat)
                {
                    P2[] rows = Points.Two(flat);
                    GaussianMixture fromSpan = Train((ReadOnlySpan<P2>)rows);
                    GaussianMixture fromArray = Train(rows);
                    return [fromSpan.LowerBound, fromArray.LowerBound];
                }
            }
            """]);

        Assert.Equal(2, run.GeneratedSources.Keys.Count(k => k.EndsWith(".GmmTrain.g.cs", StringComparison.Ordinal)));
        Assert.Empty(run.GeneratorDiagnostics);
        var bounds = (double[])run.Invoke("Demo.Trainer", "Both", Clusters())!;
        Assert.Equal(bounds[0], bounds[1]);
    }

    [Fact]
    public void Rows_named_progress_leave_the_overload_other_names_for_progress_and_cancellation()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using System.Threading;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            namespace Demo;

            public static partial class Trainer
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> progress);

                public static double Fit(double[] flat) => Train(Points.Two(flat), progress2: null, cancellationToken: CancellationToken.None).LowerBound;
            }
            """]);

        string generated = run.Source(".GmmTrain.g.cs");
        Assert.Contains("GmmProgress>? progress2 = null, global::System.Threading.CancellationToken cancellationToken = default)", generated, StringComparison.Ordinal);
        Assert.True(double.IsFinite((double)run.Invoke("Demo.Trainer", "Fit", Clusters())!));
    }

    [Fact]
    public void A_type_that_declares_the_progress_overload_itself_keeps_it()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using System.Threading;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            namespace Demo;

            public static partial class Trainer
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> rows);

                public static GaussianMixture Train(ReadOnlySpan<P2> rows, IProgress<GmmProgress>? progress, CancellationToken cancellationToken) =>
                    throw new NotSupportedException("the user's own overload");

                public static double Fit(double[] flat) => Train(Points.Two(flat)).LowerBound;
            }
            """]);

        string generated = run.Source(".GmmTrain.g.cs");
        Assert.DoesNotContain("IProgress", generated, StringComparison.Ordinal);
        Assert.Contains(".Fit(data, null, default);", generated, StringComparison.Ordinal);
        Assert.True(double.IsFinite((double)run.Invoke("Demo.Trainer", "Fit", Clusters())!));
    }

    [Fact]
    public void Generic_and_non_generic_classes_of_one_name_are_both_implemented()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            namespace Demo;

            public static partial class G
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> rows);
            }

            public static partial class G<X>
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> rows);
            }

            public static class Caller
            {
                public static double[] Both(double[] flat) =>
                    [G.Train(Points.Two(flat)).LowerBound, G<string>.Train(Points.Two(flat)).LowerBound];
            }
            """]);

        Assert.Equal(2, run.GeneratedSources.Keys.Count(k => k.EndsWith(".GmmTrain.g.cs", StringComparison.Ordinal)));
        var bounds = (double[])run.Invoke("Demo.Caller", "Both", Clusters())!;
        Assert.Equal(bounds[0], bounds[1]);
    }

    [Fact]
    public void Classes_whose_names_differ_only_in_case_are_both_implemented()
    {
        // Hint names are compared ignoring case.
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            namespace Demo;

            public static partial class Trainer
            {
                [GmmTrain(Components = 2)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> rows);
            }

            public static partial class TRAINER
            {
                [GmmTrain(Components = 2)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> rows);
            }
            """]);

        Assert.Equal(2, run.GeneratedSources.Keys.Count(k => k.EndsWith(".GmmTrain.g.cs", StringComparison.Ordinal)));
    }

    [Fact]
    public void Keyword_named_namespace_types_row_fields_and_parameters_keep_their_escapes()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            namespace @event.Data;

            public struct @class
            {
                public double @double;
                public double @float;
            }

            public static partial class @checked
            {
                public partial struct @struct
                {
                    [GmmTrain(Components = 2, Seed = 1)]
                    public static partial GaussianMixture Train(ReadOnlySpan<P2> @double);

                    [GmmTrain(Components = 2, Seed = 1)]
                    public static partial GaussianMixture Train(@class[] @in);
                }
            }

            public static class Caller
            {
                public static GaussianMixture Fit(double[] flat) => @checked.@struct.Train(Points.Two(flat));

                public static GaussianMixture FitKeywords(double[] flat)
                {
                    P2[] points = Points.Two(flat);
                    var rows = new @class[points.Length];
                    for (int n = 0; n < rows.Length; n++)
                    {
                        rows[n] = new @class { @double = points[n].X, @float = points[n].Y };
                    }

                    return @checked.@struct.Train(rows);
                }
            }
            """]);

        string source = run.GeneratedSources.Single(p => p.Value.Contains("ReadOnlySpan<global::Rows.P2> @double", StringComparison.Ordinal)).Value;
        Assert.Contains("namespace @event.Data", source, StringComparison.Ordinal);
        Assert.Contains("static partial class @checked", source, StringComparison.Ordinal);
        var model = (GaussianMixture)run.Invoke("event.Data.Caller", "Fit", Clusters())!;
        var fromKeywords = (GaussianMixture)run.Invoke("event.Data.Caller", "FitKeywords", Clusters())!;
        Assert.Equal(10, Math.Round(Means(model)[2]));
        Assert.Equal(model.LowerBound, fromKeywords.LowerBound);
    }

    [Fact]
    public void Parameter_named_like_the_generated_locals_does_not_clash()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            public static partial class A
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> values);
            }

            public static partial class B
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(P2[] data);
            }

            public static partial class C
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(ReadOnlySpan<P2> options);
            }

            public static class Caller
            {
                public static double[] All(double[] flat) =>
                    [A.Train(Points.Two(flat)).LowerBound, B.Train(Points.Two(flat)).LowerBound, C.Train(Points.Two(flat)).LowerBound];
            }
            """]);

        var bounds = (double[])run.Invoke("Caller", "All", Clusters())!;
        Assert.Equal(bounds[0], bounds[1]);
        Assert.Equal(bounds[0], bounds[2]);
    }

    [Fact]
    public void Generic_nested_record_record_struct_interface_and_ref_struct_hosts_in_several_files_compile()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            namespace Demo
            {
                public partial record Outer<T, U>
                    where T : class
                {
                    public partial record struct Inner
                    {
                        [GmmTrain(Components = 2, Seed = 1)]
                        public static partial GaussianMixture Train(ReadOnlySpan<P2> rows);
                    }
                }

                public partial interface IHost<in T>
                {
                    [GmmTrain(Components = 2, Seed = 1)]
                    public static partial GaussianMixture Train(P2[] rows);
                }

                public readonly ref partial struct RefHost
                {
                    [GmmTrain(Components = 2, Seed = 1)]
                    public static partial GaussianMixture Train(P2[] rows);
                }
            }
            """, """
            namespace Demo
            {
                public partial record Outer<T, U>
                {
                    public int Extra => 1;

                    public partial record struct Inner
                    {
                        public int More => 2;
                    }
                }
            }
            """, """
            using Specialize.Mixture;

            public static class Caller
            {
                public static double[] Both(double[] flat) =>
                    [Demo.Outer<string, int>.Inner.Train(Rows.Points.Two(flat)).LowerBound, Demo.IHost<object>.Train(Rows.Points.Two(flat)).LowerBound, Demo.RefHost.Train(Rows.Points.Two(flat)).LowerBound];
            }
            """]);

        var bounds = (double[])run.Invoke("Caller", "Both", Clusters())!;
        Assert.Equal(bounds[0], bounds[1]);
        Assert.Equal(bounds[0], bounds[2]);
    }

    [Fact]
    public void Parameter_modifiers_constraints_and_nullable_annotations_of_the_declaration_are_kept()
    {
        // params, scoped, 'this', type parameters with their constraints and the annotations must match between the two
        // parts of a partial method.
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            public static partial class Extensions
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture? Train(this P2[]? rows);

                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture TrainScoped(scoped ReadOnlySpan<P2> rows);

                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture TrainParams(params ReadOnlySpan<P2> rows);

                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture TrainGeneric<TTag, TKey, TNew>(ReadOnlySpan<P2> rows)
                    where TTag : class?, IComparable<TTag>
                    where TKey : notnull, allows ref struct
                    where TNew : new();

                public static double[] All(double[] flat)
                {
                    P2[] rows = Points.Two(flat);
                    return [rows.Train()!.LowerBound, TrainScoped(rows).LowerBound, TrainParams(rows).LowerBound, TrainGeneric<string, int, object>(rows).LowerBound];
                }
            }
            """, """
            #nullable disable
            using System;
            using Rows;
            using Specialize;
            using Specialize.Mixture;

            public static partial class Oblivious
            {
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial GaussianMixture Train(P2[] rows);
            }
            """]);

        var bounds = (double[])run.Invoke("Extensions", "All", Clusters())!;
        Assert.Equal(bounds[0], bounds[1]);
        Assert.Equal(bounds[0], bounds[2]);
        Assert.Equal(bounds[0], bounds[3]);
    }

    [Fact]
    public void Declarations_under_preprocessor_conditions_and_a_using_alias_compile()
    {
        GeneratorRun run = GeneratorHarness.Run([Row, """
            using System;
            using Specialize;
            using Row = Rows.P2;
            using Model = Specialize.Mixture.GaussianMixture;

            public static partial class Trainer
            {
            #if NEVER_DEFINED
                [GmmTrain(Components = 3)]
                public static partial Model Train(ReadOnlySpan<Row> rows, int unused);
            #else
                [GmmTrain(Components = 2, Seed = 1)]
                public static partial Model Train(ReadOnlySpan<Row> rows);
            #endif
            }
            """]);

        // The generated file names the types in full: it has no using directives of its own to depend on.
        string source = run.Source(".GmmTrain.g.cs");
        Assert.Contains("global::Specialize.Mixture.GaussianMixture Train(global::System.ReadOnlySpan<global::Rows.P2> rows)", source, StringComparison.Ordinal);
    }
}
