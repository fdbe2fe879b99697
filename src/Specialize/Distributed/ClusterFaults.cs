using System;
using System.Threading;

namespace Specialize.Distributed;

/// <summary>
/// Makes every fatal path of a rank end the whole job with a non-zero exit code: an unhandled exception and an
/// exit with a non-zero code call <c>MPI_Abort</c> (under MPICH a rank that just exits would end the job with
/// status 0 and the other ranks killed silently); a normal exit finalizes MPI. Installed when MPI starts.
/// </summary>
internal static class ClusterFaults
{
    /// <summary>The exit code of a job ended by an unhandled exception.</summary>
    public const int FailureExitCode = 1;

    /// <summary>The exit code of a job ended because a rank waited too long in a collective.</summary>
    public const int TimeoutExitCode = 3;

    private static int installed;

    public static void Install(MpiCommunicator world)
    {
        if (Interlocked.Exchange(ref installed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            world.Abort(FailureExitCode, $"Specialize.Cluster: rank {world.Rank} of {world.Size} ended with an unhandled exception; ending the job.{Environment.NewLine}{e.ExceptionObject}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            int code = Environment.ExitCode;
            if (code != 0)
            {
                world.Abort(code, $"Specialize.Cluster: rank {world.Rank} of {world.Size} is exiting with code {code}; ending the job.");
            }
            else
            {
                world.Finish();
            }
        };
    }

    /// <summary>Writes a line to standard error, whatever state the console is in.</summary>
    public static void WriteError(string message)
    {
        try
        {
            Console.Error.WriteLine(message);
            Console.Error.Flush();
        }
        catch (Exception)
        {
            // Ending the job matters more than the message.
        }
    }
}
