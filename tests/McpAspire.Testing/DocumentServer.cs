using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpAspire.Testing;

/// <summary>
/// Serves documents a test puts at paths, over https with <see cref="TestCertificates"/> (and plain http on another
/// port), on loopback: Client ID Metadata Documents, good and bad.
/// </summary>
public sealed class DocumentServer : IAsyncDisposable
{
    private readonly Dictionary<string, (string Body, string? CacheControl)> _documents = new(StringComparer.Ordinal);
    private WebApplication _app = null!;

    public Uri HttpsBase { get; private set; } = null!;

    public Uri HttpBase { get; private set; } = null!;

    /// <summary>How many times each path was fetched.</summary>
    public Dictionary<string, int> Fetches { get; } = new(StringComparer.Ordinal);

    public static async Task<DocumentServer> StartAsync(TestCertificates certificates, CancellationToken cancellationToken)
    {
        var server = new DocumentServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls("https://127.0.0.1:0", "http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            https.ServerCertificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(certificates.PfxPath, TestCertificates.PfxPassword)));
        var app = builder.Build();
        app.Run(context =>
        {
            lock (server._documents)
            {
                server.Fetches[context.Request.Path] = server.Fetches.GetValueOrDefault(context.Request.Path) + 1;
                if (!server._documents.TryGetValue(context.Request.Path, out var document))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                context.Response.ContentType = "application/json";
                if (document.CacheControl is not null)
                {
                    context.Response.Headers.CacheControl = document.CacheControl;
                }

                return context.Response.WriteAsync(document.Body, context.RequestAborted);
            }
        });
        await app.StartAsync(cancellationToken);
        server._app = app;
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(a => new Uri(a)).ToList();
        server.HttpsBase = addresses.First(a => a.Scheme == "https");
        server.HttpBase = addresses.First(a => a.Scheme == "http");
        return server;
    }

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/>; returns its https URL.</summary>
    public Uri Put(string path, string body, string? cacheControl = null)
    {
        lock (_documents)
        {
            _documents[path] = (body, cacheControl);
        }

        return new Uri(HttpsBase, path);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
