using System.Net;
using System.Text.RegularExpressions;

namespace McpAspire.Testing;

/// <summary>
/// A scripted user at a browser: follows redirects, keeps cookies per host name (as browsers do, whatever the port), and
/// fills the two forms an MCP sign-in shows, as docs/security.md describes them: a sign-in form (fields
/// <c>username</c> and <c>password</c>) and a consent form (button <c>consent</c>: <c>allow</c> or <c>deny</c>).
/// Every other hidden field of a form (anti-forgery token, cached request) is posted back as served.
/// </summary>
public sealed partial class OAuthBrowser : IDisposable
{
    private readonly HttpClient _http;

    public OAuthBrowser(HttpMessageHandler? handler = null)
    {
        handler ??= new HttpClientHandler();
        if (handler is HttpClientHandler client)
        {
            client.AllowAutoRedirect = false;
            client.UseCookies = true;
            client.CookieContainer = new CookieContainer();
        }

        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The sign-in forms posted, by page URL (how many times the user was asked to sign in).</summary>
    public List<Uri> SignInsPosted { get; } = [];

    /// <summary>The consent forms answered.</summary>
    public List<Uri> ConsentsAnswered { get; } = [];

    /// <summary>
    /// Opens <paramref name="url"/> and goes on as the user <paramref name="user"/> would: signs in with
    /// <paramref name="password"/> (the user's name if null), answers consent with <paramref name="consent"/>, until a
    /// redirect to <paramref name="stopAt"/> (returned unopened) or a page with no form (returned as the last URL with its body).
    /// </summary>
    public async Task<BrowserResult> RunAsync(Uri url, string user, CancellationToken cancellationToken, string? password = null,
        string consent = "allow", string? stopAt = null)
    {
        var method = HttpMethod.Get;
        FormUrlEncodedContent? content = null;
        for (var step = 0; step < 30; step++)
        {
            using var request = new HttpRequestMessage(method, url) { Content = content };
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                url = new Uri(url, location);
                (method, content) = (HttpMethod.Get, null);
                if (stopAt is not null && url.AbsoluteUri.StartsWith(stopAt, StringComparison.Ordinal))
                {
                    return new BrowserResult(url, (int)response.StatusCode, body);
                }

                continue;
            }

            if (FormOf(body) is not { } form)
            {
                return new BrowserResult(url, (int)response.StatusCode, body);
            }

            var fields = HiddenFields(form.Html);
            if (form.Html.Contains("name=\"username\"", StringComparison.Ordinal))
            {
                fields["username"] = user;
                fields["password"] = password ?? user;
                SignInsPosted.Add(url);
            }
            else if (form.Html.Contains("name=\"consent\"", StringComparison.Ordinal))
            {
                fields["consent"] = consent;
                ConsentsAnswered.Add(url);
            }
            else
            {
                return new BrowserResult(url, (int)response.StatusCode, body);
            }

            url = new Uri(url, WebUtility.HtmlDecode(form.Action));
            (method, content) = (HttpMethod.Post, new FormUrlEncodedContent(fields));
        }

        throw new InvalidOperationException($"The sign-in did not end within 30 steps; last at {url}.");
    }

    private static (string Action, string Html)? FormOf(string body) =>
        FormPattern().Match(body) is { Success: true } match ? (match.Groups["action"].Value, match.Value) : null;

    private static Dictionary<string, string> HiddenFields(string form) =>
        HiddenPattern().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    [GeneratedRegex("<form[^>]*action=\"(?<action>[^\"]*)\"[^>]*>.*?</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]*)\" value=\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenPattern();

    public void Dispose() => _http.Dispose();
}

/// <summary>Where the browser stopped: the URL, its status and body (the client's redirect URI with its code or error, or a page).</summary>
public sealed record BrowserResult(Uri Url, int StatusCode, string Body)
{
    /// <summary>A query parameter of <see cref="Url"/> (code, state, error, error_description, iss).</summary>
    public string? Parameter(string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Url.Query).TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>
    /// The OAuth error, sent back to the client's redirect URI or, where the server would not trust the redirect URI yet
    /// (before it has checked the client), shown on its own page (OpenIddict's: <c>error:…</c> and <c>error_description:…</c> lines).
    /// </summary>
    public (string? Error, string? Description) Error =>
        Parameter("error") is { } error ? (error, Parameter("error_description")) : (PageLine("error"), PageLine("error_description"));

    private string? PageLine(string name) =>
        Body.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..];
}
