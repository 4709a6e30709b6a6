using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace McpAspire.Testing;

/// <summary>
/// Runs <c>js/ts-oauth-client.mjs</c>: the TypeScript SDK's client, with no credentials, signs in by itself; when it asks
/// the user to sign in, <see cref="OAuthBrowser"/> plays the user.
/// </summary>
public static class TypeScriptOAuthClient
{
    /// <summary>Signs in to <paramref name="server"/> as <paramref name="user"/> and makes <paramref name="calls"/> (each <c>{"name":…,"arguments":…}</c>); returns the script's result.</summary>
    public static async Task<JsonElement> RunAsync(string transport, Uri server, string registration, OAuthBrowser browser, string user,
        IEnumerable<object> calls, CancellationToken cancellationToken, TestCertificates? certificates = null, string consent = "allow")
    {
        await NodeTooling.EnsureInstalledAsync(cancellationToken);
        var start = new ProcessStartInfo(NodeTooling.Node)
        {
            WorkingDirectory = RepoLayout.JsDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ts-oauth-client.mjs", transport, server.AbsoluteUri, registration }.Concat(calls.Select(call => JsonSerializer.Serialize(call))))
        {
            start.ArgumentList.Add(argument);
        }

        if (certificates is not null)
        {
            start.Environment["CIMD_CERT"] = certificates.ServerCertificatePemPath;
            start.Environment["CIMD_KEY"] = certificates.ServerKeyPemPath;
        }

        using var process = Process.Start(start)!;
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("AUTHORIZE ", StringComparison.Ordinal))
                {
                    await browser.RunAsync(new Uri(line["AUTHORIZE ".Length..]), user, timeout.Token, consent: consent);
                }
                else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
                {
                    await process.WaitForExitAsync(timeout.Token);
                    return JsonDocument.Parse(line["RESULT ".Length..]).RootElement.Clone();
                }
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        lock (errors)
        {
            throw new InvalidOperationException($"ts-oauth-client.mjs exited with {process.ExitCode} and no result:{Environment.NewLine}{errors}");
        }
    }
}
