using Microsoft.Playwright;

namespace Tether.Browser.Tests;

/// <summary>
/// One headless Debian Chromium per test class, driven by Playwright. Tests open a fresh context each.
/// Playwright never downloads a browser here: it launches <see cref="ExecutablePath"/>, and a missing browser fails
/// with a message that names the package to install.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium (<c>apt-get install -y chromium</c>).</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    // Playwright makes a fresh temporary --user-data-dir for every launch (it refuses one in Args), so the profile is
    // always new; these flags keep the browser from talking to anything but the test server.
    private static readonly string[] Args =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not launched.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is missing at {ExecutablePath}. Install Debian's package: apt-get install -y chromium (never `playwright install`).");
        }

        HarnessFiles.EnsurePresent();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
