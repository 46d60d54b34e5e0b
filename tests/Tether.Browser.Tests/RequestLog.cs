using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Tether.Browser.Tests;

/// <summary>
/// One request the browser made to the test server. <see cref="Status"/> is 0 until the response started;
/// <see cref="EndMs"/> is null while the request is still open (a live WebSocket, event stream or poll).
/// </summary>
public sealed record RequestRecord(long StartMs, long? EndMs, string Method, string Path, string? Transport, int Status, bool Aborted, string? Exception)
{
    public override string ToString() =>
        $"{StartMs,6} ms..{(EndMs is { } end ? end + " ms" : "open"),-9} {Method,-4} {Path}{(Transport is null ? string.Empty : "?transport=" + Transport)} -> {(Status == 0 ? "(no response yet)" : Status)}{(Aborted ? " (aborted)" : string.Empty)}{(Exception is null ? string.Empty : " THREW " + Exception)}";
}

/// <summary>Records every request and its status, for assertions and for the output of a failed test.</summary>
public sealed class RequestLog(Stopwatch clock)
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly object _lock = new();
    private readonly List<(Func<RequestRecord, bool> Match, TaskCompletionSource<RequestRecord> Tcs)> _waiters = [];

    public IReadOnlyList<RequestRecord> Snapshot() => _entries.Select(e => e.ToRecord()).ToArray();

    /// <summary>The log's clock now, in the milliseconds of <see cref="RequestRecord.StartMs"/>.</summary>
    public long NowMs => clock.ElapsedMilliseconds;

    /// <summary>Completes with a request that matches and is still open: one already open, or the next to arrive.</summary>
    public Task<RequestRecord> WaitForOpen(Func<RequestRecord, bool> match)
    {
        lock (_lock)
        {
            var open = Snapshot().FirstOrDefault(r => r.EndMs is null && match(r));
            if (open is not null)
            {
                return Task.FromResult(open);
            }

            var tcs = new TaskCompletionSource<RequestRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task;
        }
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var entry = new Entry(clock.ElapsedMilliseconds, context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.Query["transport"]);
        List<(TaskCompletionSource<RequestRecord> Tcs, RequestRecord Record)> matched = [];
        lock (_lock)
        {
            _entries.Enqueue(entry);
            var record = entry.ToRecord();
            _waiters.RemoveAll(w =>
            {
                if (w.Match(record))
                {
                    matched.Add((w.Tcs, record));
                    return true;
                }

                return false;
            });
        }

        foreach (var (tcs, record) in matched)
        {
            tcs.TrySetResult(record);
        }

        context.Response.OnStarting(() =>
        {
            // 101 for an accepted WebSocket, 200 once an event stream or a poll flushed its headers.
            entry.Status = context.Response.StatusCode;
            return Task.CompletedTask;
        });
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            // Kestrel answers 500 after this middleware has seen the exception.
            entry.Exception = $"{e.GetType().Name}: {e.Message}";
            entry.Status = 500;
            throw;
        }
        finally
        {
            entry.Aborted = context.RequestAborted.IsCancellationRequested;
            if (entry.Exception is null)
            {
                entry.Status = context.Response.StatusCode;
            }

            entry.EndMs = clock.ElapsedMilliseconds;
        }
    }

    private sealed class Entry(long startMs, string method, string path, string? transport)
    {
        private long _endMs = -1;
        private int _status;

        public long? EndMs
        {
            get => Interlocked.Read(ref _endMs) is var end and >= 0 ? end : null;
            set => Interlocked.Exchange(ref _endMs, value ?? -1);
        }

        public int Status
        {
            get => Volatile.Read(ref _status);
            set => Volatile.Write(ref _status, value);
        }

        public bool Aborted { get; set; }

        public string? Exception { get; set; }

        public RequestRecord ToRecord() => new(startMs, EndMs, method, path, transport, Status, Aborted, Exception);
    }
}
