using Tether.Cli.Hosting;
using Tether.Cli.Output;

namespace Tether.Cli.Tests;

/// <summary>In-process checks of what the CLI prints and accepts.</summary>
public sealed class OutputTests
{
    [Theory]
    [InlineData("hello", "hello")]
    [InlineData("a\nb\r\tc", "a\\nb\\r\\tc")]
    [InlineData("\u001b[31mred", "\\u001b[31mred")]
    [InlineData(null, "(null)")]
    public void OneLine_escapes_control_characters(string? input, string expected)
    {
        Assert.Equal(expected, DisplayText.OneLine(input));
    }

    [Fact]
    public void OneLine_cuts_long_text_and_says_how_long_it_was()
    {
        Assert.Equal("abc... (10 chars)", DisplayText.OneLine("abcdefghij", 3));
        Assert.Equal("abc", DisplayText.OneLine("abc", 3));
    }

    [Fact]
    public async Task ConsoleSink_writes_whole_lines_from_many_threads()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var sink = new ConsoleSink(output, error, TimeProvider.System);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                sink.Event($"thread {t} line {i} end");
            }
        })));
        sink.Error("bad");

        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1600, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} thread \d line \d+ end$", l));
        Assert.Equal("tether: bad" + Environment.NewLine, error.ToString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("https://localhost:5001/")]
    [InlineData("http://*:5000; http://[::1]:5000")]
    [InlineData("http://+:80")]
    public void Valid_urls_are_accepted(string value)
    {
        Assert.True(ListenUrls.TryParse(value, out var urls, out string? error), error);
        Assert.NotEmpty(urls);
    }

    [Theory]
    [InlineData("127.0.0.1:5000")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("http://127.0.0.1:5000/echo")]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData(" ; ")]
    [InlineData("not a url")]
    public void Invalid_urls_get_one_line(string value)
    {
        Assert.False(ListenUrls.TryParse(value, out _, out string? error));
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
    }
}
