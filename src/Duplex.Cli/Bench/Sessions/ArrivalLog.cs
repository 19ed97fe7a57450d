using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// What a bench server records of the messages its clients send: per client a
/// <see cref="StreamCheck"/>, and every message's age on arrival (µs, client's stamp to the
/// handler's read). Reset between the warm-up and the measured window.
/// </summary>
/// <remarks>Shared with bench/SignalRAnchor (linked source).</remarks>
internal sealed class ArrivalLog
{
    private readonly ConcurrentDictionary<string, StreamCheck> _streams = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private List<long> _ages = [];
    private long _unreadable;

    /// <summary>Messages counted since the last reset.</summary>
    public long Received
    {
        get
        {
            lock (_gate)
            {
                return _ages.Count;
            }
        }
    }

    /// <summary>Records one message from the client known as <paramref name="client"/>.</summary>
    public void Record(string client, ReadOnlySpan<byte> utf8)
    {
        if (!SessionStamp.TryRead(utf8, out long sequence, out long age))
        {
            Interlocked.Increment(ref _unreadable);
            return;
        }

        Take(client, sequence, age);
    }

    /// <inheritdoc cref="Record(string, ReadOnlySpan{byte})"/>
    public void Record(string client, ReadOnlySpan<char> text)
    {
        if (!SessionStamp.TryRead(text, out long sequence, out long age))
        {
            Interlocked.Increment(ref _unreadable);
            return;
        }

        Take(client, sequence, age);
    }

    /// <summary>Starts the measured window.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _ages = [];
            Interlocked.Exchange(ref _unreadable, 0);
            foreach (StreamCheck stream in _streams.Values)
            {
                stream.ResetCounts();
            }
        }
    }

    /// <summary>The window as JSON: counts, and with <paramref name="ages"/> every age in µs.</summary>
    public JsonObject ToJson(bool ages)
    {
        lock (_gate)
        {
            var json = new JsonObject
            {
                ["received"] = _ages.Count,
                ["duplicates"] = _streams.Values.Sum(s => s.Duplicates),
                ["gaps"] = _streams.Values.Sum(s => s.Gaps),
                ["unreadable"] = Interlocked.Read(ref _unreadable),
                ["clients"] = _streams.Count,
            };
            if (ages)
            {
                var list = new JsonArray();
                foreach (long age in _ages)
                {
                    list.Add(age);
                }

                json["agesMicroseconds"] = list;
            }

            return json;
        }
    }

    private void Take(string client, long sequence, long age)
    {
        StreamCheck stream = _streams.GetOrAdd(client, static _ => new StreamCheck());
        lock (_gate)
        {
            stream.Take(sequence);
            _ages.Add(age);
        }
    }
}
