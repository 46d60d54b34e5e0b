using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Tether.Server.Internal;
using Tether.Server.Tests.Hostile;

namespace Tether.Server.Tests.Requests;

/// <summary>
/// The form reader of <c>/send</c> and long polls decodes fields as ASP.NET Core's <see cref="FormReader"/> does, from
/// the raw bytes: checked against it on seeded hostile bodies, and on the cases that matter to the protocol.
/// </summary>
public sealed class UrlEncodedFormTests
{
    private static readonly string[] Names = ["data", "messageId", "groupsToken"];

    [Theory]
    [InlineData("data=%22hello%22", "\"hello\"")]
    [InlineData("data=a+b%2Bc", "a b+c")]
    [InlineData("DATA=x", "x")]
    [InlineData("d%61ta=x", "x")]
    [InlineData("data=", "")]
    [InlineData("data=1&data=2", "1,2")]
    [InlineData("data=&data=1&data=&data=2", "1,2")]
    [InlineData("other=1&data=%E6%BC%A2%F0%9F%98%80", "漢😀")]
    [InlineData("data=%ZZ%E0%A4", "%ZZ%E0%A4")]
    [InlineData("data", null)]
    [InlineData("", null)]
    public void Decodes(string body, string? expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        Assert.Equal(expected, new UrlEncodedForm(bytes, bytes.Length)["data"]);
    }

    [Fact]
    public void SplitsAtAmpersandsFirst_AsTheClassicServer()
    {
        // ASP.NET Core's FormReader would read the name "junk&data"; classic SignalR's host split at '&' first.
        byte[] bytes = "junk&data=1"u8.ToArray();
        Assert.Equal("1", new UrlEncodedForm(bytes, bytes.Length)["data"]);
    }

    [Fact]
    public void Utf8ByteOrderMark_IsSkipped_AndInvalidUtf8_BecomesTheReplacementCharacter()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "data=a"u8, 0xFF, (byte)'b'];
        Assert.Equal("a\uFFFDb", new UrlEncodedForm(bytes, bytes.Length)["data"]);
    }

    [Fact]
    public async Task AgreesWithAspNetCoresFormReader_OnSeededBodies()
    {
        var fuzz = new FuzzInput(8_2026);
        int compared = 0;
        for (int i = 0; i < 3_000; i++)
        {
            // Every pair has its '=' and no raw '&': ASP.NET Core's reader reads a name across an '&' (see SplitsAtAmpersandsFirst).
            string text = string.Join("&", Enumerable.Range(0, fuzz.Random.Next(6)).Select(_ => fuzz.Random.Next(4) switch
            {
                0 => WithoutAmpersands(fuzz.Text(10)).Replace("=", string.Empty, StringComparison.Ordinal) + "=" + WithoutAmpersands(fuzz.Text(80)),
                1 => Uri.EscapeDataString(fuzz.Pick(Names)) + "=" + Uri.EscapeDataString(fuzz.Text(200)),
                2 => fuzz.Pick(Names) + "=" + WithoutAmpersands(fuzz.Text(600)),
                _ => fuzz.Pick(Names).ToUpperInvariant() + "=" + fuzz.Text(30).Replace('&', '+'),
            }));
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            var form = new UrlEncodedForm(bytes, bytes.Length);

            using var reader = new FormReader(new MemoryStream(bytes), Encoding.UTF8) { ValueLengthLimit = int.MaxValue };
            var expected = await reader.ReadFormAsync();
            foreach (string name in Names)
            {
                string? wanted = expected.TryGetValue(name, out var values) ? (string?)values : null;
                Assert.True(wanted == form[name], $"{name} of {text}: expected {wanted}, got {form[name]}");
                compared++;
            }
        }

        Assert.Equal(9_000, compared);
    }

    private static string WithoutAmpersands(string text) => text.Replace("&", "%26", StringComparison.Ordinal);
}
