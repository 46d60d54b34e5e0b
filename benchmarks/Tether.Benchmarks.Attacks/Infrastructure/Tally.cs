using System.Globalization;
using System.Text;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>What one attack sent and got back: request bytes (request target and body), response body bytes, status codes.</summary>
internal sealed class Tally
{
    private readonly SortedDictionary<int, int> _statuses = [];
    private long _sent;
    private long _received;

    public long SentBytes => Interlocked.Read(ref _sent);

    public long ReceivedBytes => Interlocked.Read(ref _received);

    public void Sent(long bytes) => Interlocked.Add(ref _sent, bytes);

    public void Received(long bytes) => Interlocked.Add(ref _received, bytes);

    public void Status(int status)
    {
        lock (_statuses)
        {
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        }
    }

    /// <summary>e.g. <c>200×2000 400×1</c>.</summary>
    public string Statuses()
    {
        lock (_statuses)
        {
            var text = new StringBuilder();
            foreach (var (status, count) in _statuses)
            {
                text.Append(text.Length == 0 ? string.Empty : " ").Append(CultureInfo.InvariantCulture, $"{status}×{count}");
            }

            return text.ToString();
        }
    }
}
