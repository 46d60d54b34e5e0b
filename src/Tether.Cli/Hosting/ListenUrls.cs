namespace Tether.Cli.Hosting;

/// <summary>Checks a <c>--urls</c> value before Kestrel sees it, so a typo gets a one-line explanation.</summary>
internal static class ListenUrls
{
    /// <summary>
    /// Splits a <c>;</c>-separated list of listen URLs (the ASP.NET Core <c>--urls</c> convention) and checks each is an
    /// absolute <c>http://</c> or <c>https://</c> URL with no path, query or fragment. Hosts <c>*</c> and <c>+</c>
    /// (every interface) and port 0 (a free port) are accepted.
    /// </summary>
    /// <param name="value">The option value, e.g. <c>http://127.0.0.1:5000;http://[::1]:5000</c>.</param>
    /// <param name="urls">The URLs, trimmed, when the value is valid.</param>
    /// <param name="error">A one-line explanation when it is not.</param>
    /// <returns><see langword="true"/> when every URL is valid.</returns>
    public static bool TryParse(string? value, out IReadOnlyList<string> urls, out string? error)
    {
        urls = [];
        string[] parts = (value ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            error = "--urls needs at least one URL, such as http://127.0.0.1:5000.";
            return false;
        }

        foreach (string part in parts)
        {
            if (!IsValid(part, out string? reason))
            {
                error = $"invalid --urls value '{part}': {reason} Expected absolute http:// or https:// URLs separated by ';', such as http://127.0.0.1:5000.";
                return false;
            }
        }

        urls = parts;
        error = null;
        return true;
    }

    private static bool IsValid(string url, out string? reason)
    {
        // Kestrel's wildcards are not valid URI hosts; check the rest of the URL with a stand-in host.
        string checkable = url.Replace("://*", "://wildcard.invalid", StringComparison.Ordinal)
            .Replace("://+", "://wildcard.invalid", StringComparison.Ordinal);
        if (!Uri.TryCreate(checkable, UriKind.Absolute, out var uri) || !checkable.Contains("://", StringComparison.Ordinal))
        {
            reason = "it is not an absolute URL.";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            reason = $"the scheme '{uri.Scheme}' is not http or https.";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            reason = "a listen URL has only a scheme, a host and a port.";
            return false;
        }

        reason = null;
        return true;
    }
}
