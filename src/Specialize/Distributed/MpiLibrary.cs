using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

namespace Specialize.Distributed;

/// <summary>
/// A thin binding of the MPI C ABI, loaded at run time: the MPICH family (<c>libmpich.so.12</c>, then
/// <c>libmpi.so.12</c>; handles are <c>int</c> constants from its <c>mpi.h</c>) or Open MPI
/// (<c>libmpi.so.40</c>; handles are the addresses of its exported globals). Only what
/// <see cref="MpiCommunicator"/> needs: initialization, rank and size, non-blocking byte collectives
/// completed by <c>MPI_Test</c>, and abort. Every call returns MPI's error code (the communicator's error
/// handler is set to <c>MPI_ERRORS_RETURN</c>); <see cref="Check"/> turns a failure into an exception.
/// Not thread-safe: the caller serializes calls.
/// </summary>
/// <remarks>
/// Handles are held as <see langword="nint"/> and each call is made through a function pointer of the exact C
/// signature of the loaded family (an <c>int</c> handle for MPICH, a pointer for Open MPI).
/// </remarks>
internal sealed unsafe class MpiLibrary
{
    /// <summary><c>MPI_THREAD_SERIALIZED</c>, the same value in both families.</summary>
    public const int ThreadSerialized = 2;

    // MPICH's mpi.h.
    private const int MpichCommWorld = 0x44000000;
    private const int MpichByte = 0x4c00010d;
    private const int MpichErrorsReturn = 0x54000001;
    private const nint MpichStatusIgnore = 1;

    private readonly bool openMpi;
    private readonly nint commWorld;
    private readonly nint byteType;
    private readonly nint errorsReturn;
    private readonly nint statusIgnore;

    private readonly void* initThread;
    private readonly void* initialized;
    private readonly void* finalized;
    private readonly void* finalize;
    private readonly void* commRank;
    private readonly void* commSize;
    private readonly void* commSetErrhandler;
    private readonly void* abort;
    private readonly void* errorString;
    private readonly void* ibarrier;
    private readonly void* ibcast;
    private readonly void* iallgather;
    private readonly void* iallgatherv;
    private readonly void* iscatterv;
    private readonly void* test;
    private readonly void* wtime;

    private MpiLibrary(nint handle, string path, bool openMpi)
    {
        Path = path;
        this.openMpi = openMpi;
        initThread = Export(handle, "MPI_Init_thread");
        initialized = Export(handle, "MPI_Initialized");
        finalized = Export(handle, "MPI_Finalized");
        finalize = Export(handle, "MPI_Finalize");
        commRank = Export(handle, "MPI_Comm_rank");
        commSize = Export(handle, "MPI_Comm_size");
        commSetErrhandler = Export(handle, "MPI_Comm_set_errhandler");
        abort = Export(handle, "MPI_Abort");
        errorString = Export(handle, "MPI_Error_string");
        ibarrier = Export(handle, "MPI_Ibarrier");
        ibcast = Export(handle, "MPI_Ibcast");
        iallgather = Export(handle, "MPI_Iallgather");
        iallgatherv = Export(handle, "MPI_Iallgatherv");
        iscatterv = Export(handle, "MPI_Iscatterv");
        test = Export(handle, "MPI_Test");
        wtime = Export(handle, "MPI_Wtime");
        if (openMpi)
        {
            commWorld = (nint)Export(handle, "ompi_mpi_comm_world");
            byteType = (nint)Export(handle, "ompi_mpi_byte");
            errorsReturn = (nint)Export(handle, "ompi_mpi_errors_return");
            statusIgnore = 0;
        }
        else
        {
            commWorld = MpichCommWorld;
            byteType = MpichByte;
            errorsReturn = MpichErrorsReturn;
            statusIgnore = MpichStatusIgnore;
        }
    }

    /// <summary>The file the library was loaded from.</summary>
    public string Path { get; }

    /// <summary>The family, for messages: <c>"MPICH"</c> or <c>"Open MPI"</c>.</summary>
    public string Family => openMpi ? "Open MPI" : "MPICH";

    /// <summary>
    /// Loads the first of <paramref name="names"/> that the dynamic loader finds (with <c>RTLD_GLOBAL</c>, which
    /// Open MPI's plug-ins need) and tells the family by its exports: Open MPI exports <c>ompi_mpi_comm_world</c>.
    /// </summary>
    /// <exception cref="DllNotFoundException">None of the names could be loaded; the message lists each failure.</exception>
    public static MpiLibrary Load(IReadOnlyList<string> names)
    {
        var failures = new StringBuilder();
        foreach (string name in names)
        {
            nint handle = Native.Open(name, out string? error);
            if (handle == 0)
            {
                failures.Append(failures.Length == 0 ? string.Empty : "; ").Append(name).Append(": ").Append(error);
                continue;
            }

            bool isOpenMpi = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _);
            return new MpiLibrary(handle, name, isOpenMpi);
        }

        throw new DllNotFoundException(failures.ToString());
    }

    public int InitThread(int required, out int provided)
    {
        int p;
        int code = ((delegate* unmanaged<int*, byte***, int, int*, int>)initThread)(null, null, required, &p);
        provided = p;
        return code;
    }

    public bool IsInitialized()
    {
        int flag;
        ((delegate* unmanaged<int*, int>)initialized)(&flag);
        return flag != 0;
    }

    public bool IsFinalized()
    {
        int flag;
        ((delegate* unmanaged<int*, int>)finalized)(&flag);
        return flag != 0;
    }

    public int Finalize() => ((delegate* unmanaged<int>)finalize)();

    public int Rank(out int rank)
    {
        int r, code = openMpi
            ? ((delegate* unmanaged<nint, int*, int>)commRank)(commWorld, &r)
            : ((delegate* unmanaged<int, int*, int>)commRank)((int)commWorld, &r);
        rank = r;
        return code;
    }

    public int Size(out int size)
    {
        int s, code = openMpi
            ? ((delegate* unmanaged<nint, int*, int>)commSize)(commWorld, &s)
            : ((delegate* unmanaged<int, int*, int>)commSize)((int)commWorld, &s);
        size = s;
        return code;
    }

    /// <summary>Makes errors on the world communicator return codes instead of ending the job, so that they become exceptions.</summary>
    public int ReturnErrors() => openMpi
        ? ((delegate* unmanaged<nint, nint, int>)commSetErrhandler)(commWorld, errorsReturn)
        : ((delegate* unmanaged<int, int, int>)commSetErrhandler)((int)commWorld, (int)errorsReturn);

    /// <summary><c>MPI_Abort</c> on the world: ends every process of the job with <paramref name="code"/>.</summary>
    public int Abort(int code) => openMpi
        ? ((delegate* unmanaged<nint, int, int>)abort)(commWorld, code)
        : ((delegate* unmanaged<int, int, int>)abort)((int)commWorld, code);

    public double Time() => ((delegate* unmanaged<double>)wtime)();

    public int Ibarrier(out nint request)
    {
        if (openMpi)
        {
            nint r;
            int code = ((delegate* unmanaged<nint, nint*, int>)ibarrier)(commWorld, &r);
            request = r;
            return code;
        }
        else
        {
            int r;
            int code = ((delegate* unmanaged<int, int*, int>)ibarrier)((int)commWorld, &r);
            request = r;
            return code;
        }
    }

    public int Ibcast(byte* buffer, int count, int root, out nint request)
    {
        if (openMpi)
        {
            nint r;
            int code = ((delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)ibcast)(buffer, count, byteType, root, commWorld, &r);
            request = r;
            return code;
        }
        else
        {
            int r;
            int code = ((delegate* unmanaged<void*, int, int, int, int, int*, int>)ibcast)(buffer, count, (int)byteType, root, (int)commWorld, &r);
            request = r;
            return code;
        }
    }

    public int Iallgather(byte* send, int count, byte* receive, out nint request)
    {
        if (openMpi)
        {
            nint r;
            int code = ((delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int>)iallgather)(send, count, byteType, receive, count, byteType, commWorld, &r);
            request = r;
            return code;
        }
        else
        {
            int r;
            int code = ((delegate* unmanaged<void*, int, int, void*, int, int, int, int*, int>)iallgather)(send, count, (int)byteType, receive, count, (int)byteType, (int)commWorld, &r);
            request = r;
            return code;
        }
    }

    public int Iallgatherv(byte* send, int count, byte* receive, int* counts, int* displacements, out nint request)
    {
        if (openMpi)
        {
            nint r;
            int code = ((delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, nint*, int>)iallgatherv)(send, count, byteType, receive, counts, displacements, byteType, commWorld, &r);
            request = r;
            return code;
        }
        else
        {
            int r;
            int code = ((delegate* unmanaged<void*, int, int, void*, int*, int*, int, int, int*, int>)iallgatherv)(send, count, (int)byteType, receive, counts, displacements, (int)byteType, (int)commWorld, &r);
            request = r;
            return code;
        }
    }

    public int Iscatterv(byte* send, int* counts, int* displacements, byte* receive, int count, int root, out nint request)
    {
        if (openMpi)
        {
            nint r;
            int code = ((delegate* unmanaged<void*, int*, int*, nint, void*, int, nint, int, nint, nint*, int>)iscatterv)(send, counts, displacements, byteType, receive, count, byteType, root, commWorld, &r);
            request = r;
            return code;
        }
        else
        {
            int r;
            int code = ((delegate* unmanaged<void*, int*, int*, int, void*, int, int, int, int, int*, int>)iscatterv)(send, counts, displacements, (int)byteType, receive, count, (int)byteType, root, (int)commWorld, &r);
            request = r;
            return code;
        }
    }

    /// <summary><c>MPI_Test</c>: whether the request completed (then it is freed and set to the null request).</summary>
    public int Test(ref nint request, out bool completed)
    {
        int flag, code;
        if (openMpi)
        {
            nint r = request;
            code = ((delegate* unmanaged<nint*, int*, nint, int>)test)(&r, &flag, statusIgnore);
            request = r;
        }
        else
        {
            int r = (int)request;
            code = ((delegate* unmanaged<int*, int*, nint, int>)test)(&r, &flag, statusIgnore);
            request = r;
        }

        completed = flag != 0;
        return code;
    }

    /// <summary>The text MPI gives for an error code.</summary>
    public string ErrorText(int code)
    {
        // MPI_MAX_ERROR_STRING is 512 in MPICH and 256 in Open MPI.
        byte* text = stackalloc byte[1024];
        int length = 0;
        if (((delegate* unmanaged<int, byte*, int*, int>)errorString)(code, text, &length) != 0 || length <= 0)
        {
            return $"MPI error {code}";
        }

        return Encoding.UTF8.GetString(text, Math.Min(length, 1023)).TrimEnd('\0', ' ', '\n');
    }

    /// <summary>Throws a <see cref="ClusterException"/> naming <paramref name="call"/> and MPI's text when <paramref name="code"/> is not <c>MPI_SUCCESS</c>.</summary>
    public void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new ClusterException($"{call} failed in {Family} ({Path}): {ErrorText(code)} (error {code}).");
        }
    }

    private static void* Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out nint address)
            ? (void*)address
            : throw new EntryPointNotFoundException($"The MPI library does not export {name}: it is not an MPI-3 library of the MPICH or Open MPI family.");

    /// <summary><c>dlopen</c> with <c>RTLD_NOW | RTLD_GLOBAL</c>, falling back to the runtime's loader where libc has no <c>dlopen</c>.</summary>
    private static class Native
    {
        private const int RtldNow = 2;
        private const int RtldGlobal = 0x100;

        public static nint Open(string name, out string? error)
        {
            error = null;
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    nint handle = dlopen(name, RtldNow | RtldGlobal);
                    if (handle != 0)
                    {
                        return handle;
                    }

                    nint message = dlerror();
                    error = message == 0 ? "not found" : Marshal.PtrToStringUTF8(message);
                    return 0;
                }
                catch (EntryPointNotFoundException)
                {
                    // An older libc keeps dlopen in libdl: use the runtime's loader.
                }
                catch (DllNotFoundException)
                {
                }
            }

            if (NativeLibrary.TryLoad(name, out nint loaded))
            {
                return loaded;
            }

            error ??= "not found";
            return 0;
        }

        [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        private static extern nint dlopen(string fileName, int flags);

        [DllImport("libc.so.6")]
        private static extern nint dlerror();
    }
}
