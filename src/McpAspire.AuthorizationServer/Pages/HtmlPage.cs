using System.Text;
using System.Text.Encodings.Web;

namespace McpAspire.AuthorizationServer.Pages;

/// <summary>
/// The server's few HTML pages (sign-in, consent, errors): plain forms that scripted clients can drive, never framed
/// (a consent page in a frame is a clickjacking target), never cached, with no script.
/// </summary>
internal static class HtmlPage
{
    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static IResult Render(string title, string body, int statusCode = StatusCodes.Status200OK) => new Page(title, body, statusCode);

    private sealed class Page(string title, string body, int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers.XFrameOptions = "DENY";
            response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers.XContentTypeOptions = "nosniff";
            var html = new StringBuilder()
                .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
                .Append("<title>").Append(Encode(title)).Append("</title>")
                .Append("<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}")
                .Append("label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.4rem;box-sizing:border-box}")
                .Append("button{margin:1rem .5rem 0 0;padding:.5rem 1.25rem}code{word-break:break-all}.error{color:#b00020}</style></head><body>")
                .Append("<h1>").Append(Encode(title)).Append("</h1>")
                .Append(body)
                .Append("</body></html>");
            return response.WriteAsync(html.ToString(), httpContext.RequestAborted);
        }
    }
}
