using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Tether.Server.Internal;
using Tether.Server.Messaging;
using Xunit.Abstractions;

namespace Tether.Server.Tests.Hostile;

/// <summary>
/// Seeded, bounded property tests over every parser of client input and over the response writer: no input makes one
/// throw, and what they accept or write keeps its invariants. Each test prints how many inputs it tried.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 7_2026;
    private const string Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= -_%";

    [Fact]
    public async Task FormBodies_AreBoundedByTheWholeBody()
    {
        var fuzz = new FuzzInput(Seed);
        int count = 0, tooLarge = 0;
        var stopwatch = Stopwatch.StartNew();
        for (; count < 5_000; count++)
        {
            int limit = 1 + fuzz.Random.Next(4096);
            byte[] body = fuzz.Random.Next(3) == 0 ? fuzz.Bytes(6000) : Encoding.UTF8.GetBytes(FormText(fuzz));
            var context = new DefaultHttpContext();
            context.Request.Body = new MemoryStream(body);
            context.Response.Body = new MemoryStream();
            if (fuzz.Random.Next(2) == 0)
            {
                context.Request.ContentLength = body.Length;
            }
            else
            {
                context.Request.Headers.TransferEncoding = "chunked";
            }

            var form = await RequestForm.ReadAsync(context, limit);
            if (body.Length > limit)
            {
                Assert.Null(form);
            }

            if (form is null)
            {
                Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
                tooLarge++;
            }
            else
            {
                Assert.InRange(body.Length, 0, limit);
            }
        }

        Report("form bodies (RequestForm)", count, stopwatch, $"{tooLarge} answered 413");
    }

    [Fact]
    public void QueryStrings_NeverThrow_AndScreenedValuesAreSafe()
    {
        var fuzz = new FuzzInput(Seed + 1);
        int count = 0, cursors = 0;
        var stopwatch = Stopwatch.StartNew();
        for (; count < 20_000; count++)
        {
            var query = QueryHelpers.ParseQuery("?" + FormText(fuzz));
            foreach (var (_, values) in query)
            {
                string? value = values;
                if (ClientCursor.Normalize(value) is { } cursor)
                {
                    Assert.True(PersistentResponseWriter.IsPlain(cursor) && cursor.Length <= CursorCodec.MaxLength, cursor);
                    cursors++;
                }

                AssertSupported(ProtocolResolver.Resolve(value));
                _ = JsonpCallback.IsValid(value ?? string.Empty);
            }
        }

        Report("query strings (QueryHelpers, ClientCursor, ProtocolResolver, JsonpCallback)", count, stopwatch, $"{cursors} values kept as cursors");
    }

    [Fact]
    public void ConnectionAndGroupsTokens_RoundTrip_AndRejectEverythingElse()
    {
        var fuzz = new FuzzInput(Seed + 2);
        var tokens = new ConnectionTokenProtector(new EphemeralDataProtectionProvider());
        var stopwatch = Stopwatch.StartNew();
        int roundTrips = 0, hostile = 0;
        for (; roundTrips < 2_000; roundTrips++)
        {
            string id = fuzz.Random.Next(2) == 0 ? new Guid([.. Enumerable.Range(0, 16).Select(_ => (byte)fuzz.Random.Next(256))]).ToString("d") : "c" + fuzz.Text(40).Replace(":", string.Empty, StringComparison.Ordinal);
            string user = fuzz.Text(40);
            string token = tokens.ProtectConnectionToken(id, user);
            Assert.True(tokens.TryUnprotectConnectionToken(token, out string readId, out string readUser));
            Assert.Equal((id, user), (readId, readUser));

            List<string> groups = [.. Enumerable.Range(0, fuzz.Random.Next(5)).Select(_ => fuzz.Text(20))];
            string groupsToken = tokens.ProtectGroupsToken(id, groups);
            Assert.Equal(groups.Where(g => g.Length > 0).Distinct(StringComparer.Ordinal), tokens.UnprotectGroupsToken(groupsToken, id));
            Assert.Empty(tokens.UnprotectGroupsToken(groupsToken, id + "x"));
            Assert.False(tokens.TryUnprotectConnectionToken(groupsToken, out _, out _));
            Assert.Empty(tokens.UnprotectGroupsToken(token, id));

            for (int i = 0; i < 5; i++, hostile++)
            {
                string bad = i switch
                {
                    0 => fuzz.Text(200),
                    1 => Convert.ToBase64String(fuzz.Bytes(300)),
                    2 => fuzz.Mutate(token, Base64Alphabet),
                    3 => fuzz.Mutate(groupsToken, Base64Alphabet),
                    _ => token[..fuzz.Random.Next(token.Length)],
                };

                // Accepted only when the edit left the same protected bytes (e.g. a '+' sent as a space).
                if (tokens.TryUnprotectConnectionToken(bad, out string badId, out string badUser))
                {
                    Assert.Equal((id, user), (badId, badUser));
                }

                var badGroups = tokens.UnprotectGroupsToken(bad, id);
                Assert.True(badGroups.Count == 0 || badGroups.SequenceEqual(groups.Where(g => g.Length > 0).Distinct(StringComparer.Ordinal)));
            }
        }

        Report("connection and groups tokens (ConnectionTokenProtector)", roundTrips * 4 + hostile * 2, stopwatch, $"{roundTrips} round trips of each kind, {hostile} hostile tokens read as both kinds");
    }

    [Fact]
    public void Cursors_ParseOnlyTheirOwnShape()
    {
        var fuzz = new FuzzInput(Seed + 3);
        const string alphabet = "0123456789ABCDEFabcdef-,|d s\"\\%é";
        var stopwatch = Stopwatch.StartNew();
        int count = 0, accepted = 0;
        for (; count < 30_000; count += 3)
        {
            uint process = (uint)fuzz.Random.Next();
            var entries = Enumerable.Range(0, fuzz.Random.Next(6)).Select(_ => ((ulong)fuzz.Random.NextInt64(), (ulong)fuzz.Random.NextInt64())).ToList();
            string valid = FormatCursor(process, entries);
            Assert.True(CursorCodec.TryGetEntries(valid, process, out var body, out int entryCount));
            Assert.Equal(entries.Count, entryCount);
            Assert.Equal(entries, ReadEntries(body));
            Assert.Equal(valid, ClientCursor.Normalize(valid) ?? string.Empty);

            foreach (string hostile in new[] { fuzz.Mutate(valid, alphabet), fuzz.Text(80) })
            {
                if (CursorCodec.TryGetEntries(hostile, process, out var hostileBody, out int hostileCount))
                {
                    accepted++;
                    Assert.True(PersistentResponseWriter.IsPlain(hostile), hostile);
                    Assert.Equal(hostileCount, ReadEntries(hostileBody).Count);
                }
            }
        }

        Report("cursors (CursorCodec)", count, stopwatch, $"{accepted} edited cursors still well-formed");
    }

    [Fact]
    public void JsonpCallbacks_AreDottedIdentifiersOnly()
    {
        var fuzz = new FuzzInput(Seed + 4);
        string[] parts = ["a", "cb", "$", "_", "jQuery123", "signalR", "if", "new", "class", "x1", "1x", "é", "a-b", "a b", "\n", "(", ")", ";", "\"", "</script>", string.Empty];
        var stopwatch = Stopwatch.StartNew();
        int count = 0, valid = 0;
        for (; count < 50_000; count++)
        {
            string callback = fuzz.Random.Next(4) == 0
                ? fuzz.Text(30)
                : string.Join(fuzz.Random.Next(8) == 0 ? ".." : ".", Enumerable.Range(0, 1 + fuzz.Random.Next(4)).Select(_ => fuzz.Pick(parts)))
                    + (fuzz.Random.Next(10) == 0 ? "\n" : string.Empty);
            bool expected = IsDottedIdentifier(callback);
            Assert.True(expected == JsonpCallback.IsValid(callback), $"'{callback}': expected {expected}");
            valid += expected ? 1 : 0;
        }

        Report("JSONP callbacks (JsonpCallback)", count, stopwatch, $"{valid} valid");
    }

    [Fact]
    public void ProtocolVersions_AlwaysResolveIntoTheSupportedRange()
    {
        var fuzz = new FuzzInput(Seed + 5);
        var stopwatch = Stopwatch.StartNew();
        int count = 0;
        for (; count < 20_000; count++)
        {
            string value = fuzz.Random.Next(3) switch
            {
                0 => fuzz.Text(12),
                1 => $"{fuzz.Random.Next(-3, 5)}.{fuzz.Random.Next(-3, 12)}",
                _ => string.Join(".", Enumerable.Range(0, fuzz.Random.Next(6)).Select(_ => fuzz.Random.NextInt64(-10, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            };
            var version = ProtocolResolver.Resolve(value);
            AssertSupported(version);
            if (Version.TryParse(value, out var parsed) && parsed >= new Version(1, 2) && parsed <= new Version(2, 0))
            {
                Assert.Equal(parsed, version);
            }
        }

        Report("protocol versions (ProtocolResolver)", count, stopwatch, string.Empty);
    }

    [Fact]
    public void ResponseWriter_AlwaysWritesValidAsciiJson_ThatReadsBackItsValues()
    {
        var fuzz = new FuzzInput(Seed + 6);
        var stopwatch = Stopwatch.StartNew();
        int count = 0;
        for (; count < 10_000; count++)
        {
            var header = new PersistentResponseHeader(
                fuzz.Random.Next(3) == 0 ? "d-1A-" + fuzz.Random.Next() : fuzz.Text(100),
                Initialized: fuzz.Random.Next(2) == 0,
                ShouldReconnect: fuzz.Random.Next(2) == 0,
                GroupsToken: fuzz.Random.Next(2) == 0 ? null : fuzz.Text(100),
                LongPollDelayMs: fuzz.Random.Next(3) == 0 ? fuzz.Random.Next(int.MinValue, int.MaxValue) : 0,
                Error: fuzz.Random.Next(4) == 0 ? fuzz.Text(100) : null);
            var messages = Enumerable.Range(0, fuzz.Random.Next(5)).Select(_ => fuzz.Random.Next(6) switch
            {
                0 => Message.ForCommand("c-x", new Command(CommandType.Abort)),
                1 => new Message("t", RandomJson(fuzz, indented: false), ["me"]),
                _ => new Message("t", RandomJson(fuzz, indented: false)),
            }).ToList();

            var buffer = new ArrayBufferWriter<byte>();
            PersistentResponseWriter.Write(buffer, header, messages, "me");
            Assert.True(buffer.WrittenSpan.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0, "Not printable ASCII: " + Encoding.UTF8.GetString(buffer.WrittenSpan));

            using var json = JsonDocument.Parse(buffer.WrittenMemory);
            var root = json.RootElement;
            Assert.Equal(header.Cursor, root.GetProperty("C").GetString());
            Assert.Equal(header.Initialized, root.TryGetProperty("S", out _));
            Assert.Equal(header.ShouldReconnect, root.TryGetProperty("T", out _));
            Assert.Equal(header.GroupsToken, root.TryGetProperty("G", out var g) ? g.GetString() : null);
            Assert.Equal(header.LongPollDelayMs, root.TryGetProperty("L", out var l) ? l.GetInt32() : 0);
            Assert.Equal(header.Error, root.TryGetProperty("E", out var e) ? e.GetString() : null);
            var expected = messages.Where(m => m.Command is null && !m.Excludes("me")).Select(m => Encoding.UTF8.GetString(m.Payload.Span));
            Assert.Equal(expected, root.GetProperty("M").EnumerateArray().Select(m => m.GetRawText()));
        }

        Report("persistent responses (PersistentResponseWriter)", count, stopwatch, "each parsed with JsonDocument.Parse");
    }

    [Fact]
    public void PreserializedJson_IsOneValueOnOneLine_OrArgumentException()
    {
        var fuzz = new FuzzInput(Seed + 7);
        var stopwatch = Stopwatch.StartNew();
        int count = 0, refused = 0;
        for (; count < 20_000; count++)
        {
            byte[] valid = RandomJson(fuzz, indented: fuzz.Random.Next(2) == 0);
            byte[] input = fuzz.Random.Next(3) switch
            {
                0 => valid,
                1 => Encoding.UTF8.GetBytes(fuzz.Mutate(Encoding.UTF8.GetString(valid), "{}[],:\"\\ \n0-.etrufalsn")),
                _ => fuzz.Bytes(40),
            };

            byte[] payload;
            try
            {
                payload = PreserializedJson.ToPayload(new ArraySegment<byte>(input), "value");
            }
            catch (ArgumentException)
            {
                Assert.NotSame(valid, input);
                refused++;
                continue;
            }

            Assert.True(payload.AsSpan().IndexOfAny((byte)'\r', (byte)'\n') < 0);
            using var document = JsonDocument.Parse(payload);
            if (input.AsSpan().IndexOfAny((byte)'\r', (byte)'\n') < 0)
            {
                Assert.Equal(input, payload);
            }
        }

        Report("preserialized JSON (PreserializedJson)", count, stopwatch, $"{refused} refused with ArgumentException");
    }

    private static string FormText(FuzzInput fuzz) => string.Join(
        fuzz.Random.Next(10) == 0 ? "&&" : "&",
        Enumerable.Range(0, fuzz.Random.Next(8)).Select(_ => fuzz.Random.Next(3) switch
        {
            0 => fuzz.Text(20) + "=" + fuzz.Text(60),
            1 => Uri.EscapeDataString(fuzz.Text(10)) + "=" + Uri.EscapeDataString(fuzz.Text(60)),
            _ => fuzz.Pick(["messageId", "groupsToken", "data", "connectionData", "tid"]) + "=" + fuzz.Text(60),
        }));

    private static byte[] RandomJson(FuzzInput fuzz, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            WriteValue(writer, fuzz, depth: 0);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, FuzzInput fuzz, int depth)
    {
        switch (fuzz.Random.Next(depth >= 3 ? 4 : 6))
        {
            case 0:
                writer.WriteStringValue(fuzz.Text(20));
                break;
            case 1:
                writer.WriteNumberValue(fuzz.Random.NextDouble() * fuzz.Random.Next(-1000, 1000));
                break;
            case 2:
                writer.WriteBooleanValue(fuzz.Random.Next(2) == 0);
                break;
            case 3:
                writer.WriteNullValue();
                break;
            case 4:
                writer.WriteStartArray();
                for (int i = fuzz.Random.Next(4); i > 0; i--)
                {
                    WriteValue(writer, fuzz, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartObject();
                for (int i = fuzz.Random.Next(4); i > 0; i--)
                {
                    writer.WritePropertyName(fuzz.Text(8) + i);
                    WriteValue(writer, fuzz, depth + 1);
                }

                writer.WriteEndObject();
                break;
        }
    }

    private static string FormatCursor(uint process, List<(ulong Key, ulong Id)> entries)
    {
        string processHex = CursorCodec.FormatProcessId(process);
        var chars = new char[CursorCodec.HeaderLength(processHex) + entries.Sum(e => CursorCodec.EntryLength(e.Key, e.Id) + 1)];
        int written = CursorCodec.WriteHeader(chars, processHex);
        for (int i = 0; i < entries.Count; i++)
        {
            if (i > 0)
            {
                chars[written++] = '|';
            }

            written += CursorCodec.WriteEntry(chars.AsSpan(written), entries[i].Key, entries[i].Id);
        }

        return new string(chars, 0, written);
    }

    private static List<(ulong Key, ulong Id)> ReadEntries(ReadOnlySpan<char> body)
    {
        List<(ulong, ulong)> entries = [];
        while (!body.IsEmpty)
        {
            Assert.True(CursorCodec.TryReadEntry(ref body, out ulong key, out ulong id));
            entries.Add((key, id));
        }

        return entries;
    }

    /// <summary>An independent statement of the JSONP rule: 1 to 256 characters, dot-separated ASCII identifiers, none reserved.</summary>
    private static bool IsDottedIdentifier(string callback)
    {
        string[] reserved = ["if", "new", "class", "break", "case", "catch", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "implements", "import", "in", "instanceof", "interface", "let", "null", "package", "private", "protected", "public", "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield"];
        return callback.Length is > 0 and <= 256 && callback.Split('.').All(part =>
            part.Length > 0
            && (char.IsAsciiLetter(part[0]) || part[0] is '_' or '$')
            && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$')
            && !reserved.Contains(part));
    }

    private static void AssertSupported(Version version) => Assert.InRange(version, new Version(1, 2), new Version(2, 0));

    private void Report(string parser, int inputs, Stopwatch stopwatch, string detail) =>
        output.WriteLine($"[fuzz] {parser}: {inputs} inputs in {stopwatch.ElapsedMilliseconds} ms, seed {Seed}{(detail.Length == 0 ? string.Empty : "; " + detail)}");
}
