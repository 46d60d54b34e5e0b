using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.ClassicServer;

/// <summary>
/// owin.ResponseBody over <see cref="HttpListenerResponse"/>: the status and owin.ResponseHeaders are committed on the
/// first write or flush (after the server.OnSendingHeaders callbacks), and every write goes to the client at once,
/// which server-sent events and forever frames rely on. A failed write means the client is gone: owin.CallCancelled.
/// </summary>
internal sealed class ResponseBody : Stream
{
    private readonly HttpListenerResponse _response;
    private readonly IDictionary<string, object> _environment;
    private readonly Action _clientGone;
    private readonly object _lock = new();
    private readonly List<KeyValuePair<Action<object>, object>> _onSendingHeaders = new();
    private bool _headersSent;

    public ResponseBody(HttpListenerResponse response, IDictionary<string, object> environment, Action clientGone)
    {
        _response = response;
        _environment = environment;
        _clientGone = clientGone;
    }

    public bool HeadersSent
    {
        get
        {
            lock (_lock)
            {
                return _headersSent;
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public void OnSendingHeaders(Action<object> callback, object state)
    {
        lock (_lock)
        {
            if (_headersSent)
            {
                throw new InvalidOperationException("The response headers were already sent.");
            }

            _onSendingHeaders.Add(new KeyValuePair<Action<object>, object>(callback, state));
        }
    }

    /// <summary>Commits the status line and headers to the listener response, once.</summary>
    public void EnsureHeaders()
    {
        List<KeyValuePair<Action<object>, object>> callbacks;
        lock (_lock)
        {
            if (_headersSent)
            {
                return;
            }

            _headersSent = true;
            callbacks = new List<KeyValuePair<Action<object>, object>>(_onSendingHeaders);
        }

        for (int i = callbacks.Count - 1; i >= 0; i--)
        {
            callbacks[i].Key(callbacks[i].Value);
        }

        if (_environment.TryGetValue("owin.ResponseStatusCode", out object? status) && status is int code)
        {
            _response.StatusCode = code;
        }

        if (_environment.TryGetValue("owin.ResponseReasonPhrase", out object? reason) && reason is string phrase && phrase.Length > 0)
        {
            _response.StatusDescription = phrase;
        }

        var headers = (IDictionary<string, string[]>)_environment["owin.ResponseHeaders"];
        foreach (var header in headers)
        {
            string value = string.Join(",", header.Value);
            switch (header.Key.ToUpperInvariant())
            {
                case "CONTENT-TYPE":
                    _response.ContentType = value;
                    break;
                case "CONTENT-LENGTH":
                    _response.ContentLength64 = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "TRANSFER-ENCODING":
                    _response.SendChunked = value.IndexOf("chunked", StringComparison.OrdinalIgnoreCase) >= 0;
                    break;
                case "CONNECTION":
                    if (value.IndexOf("close", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        _response.KeepAlive = false;
                    }

                    break;
                case "KEEP-ALIVE":
                    break;
                default:
                    foreach (string single in header.Value)
                    {
                        _response.AppendHeader(header.Key, single);
                    }

                    break;
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        EnsureHeaders();
        try
        {
            _response.OutputStream.Write(buffer, offset, count);
        }
        catch (Exception e) when (IsClientGone(e))
        {
            _clientGone();
            throw;
        }
    }

    public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        EnsureHeaders();
        try
        {
            await _response.OutputStream.WriteAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsClientGone(e))
        {
            _clientGone();
            throw;
        }
    }

    public override void Flush()
    {
        EnsureHeaders();
        try
        {
            _response.OutputStream.Flush();
        }
        catch (Exception e) when (IsClientGone(e))
        {
            _clientGone();
            throw;
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.FromResult(0);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private static bool IsClientGone(Exception e) =>
        e is IOException || e is HttpListenerException || e is ObjectDisposedException || e is SocketException;
}
