using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace McpAspire.Testing;

/// <summary>
/// npm's <c>oidc-provider</c> (OpenID Certified) on a loopback port, configured like Entra ID for the authorization
/// server (<c>js/oidc-upstream.mjs</c>): no registration, one confidential client, the users alice and bob (passwords:
/// their names), known as alice@upstream.test and bob@upstream.test, and mallory, whom it refuses.
/// </summary>
public sealed class OidcUpstream : IAsyncDisposable
{
    public const string ClientId = "mcpaspire-auth";
    public const string ClientSecret = "upstream-test-secret-1f4c2b";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OidcUpstream(Process process, Uri issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the provider for a client whose redirect URIs are <paramref name="redirectUris"/>.</summary>
    public static async Task<OidcUpstream> StartAsync(IEnumerable<Uri> redirectUris, CancellationToken cancellationToken)
    {
        await NodeTooling.EnsureInstalledAsync(cancellationToken);
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo(NodeTooling.Node, ["oidc-upstream.mjs"])
        {
            WorkingDirectory = RepoLayout.JsDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["CLIENT_ID"] = ClientId;
        start.Environment["CLIENT_SECRET"] = ClientSecret;
        start.Environment["REDIRECT_URIS"] = string.Join(',', redirectUris.Select(uri => uri.AbsoluteUri));
        var process = Process.Start(start)!;
        var upstream = new OidcUpstream(process, new Uri($"http://127.0.0.1:{port}/"));
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (upstream._output)
            {
                upstream._output.AppendLine(line);
            }

            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }

        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"oidc-upstream.mjs exited with {process.ExitCode}:{Environment.NewLine}{upstream.Output}"));
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            await upstream.DisposeAsync();
            throw new TimeoutException($"oidc-upstream.mjs did not listen within 30 s:{Environment.NewLine}{upstream.Output}");
        }

        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
