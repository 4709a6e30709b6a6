using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Puts a stream between the SDK and the response for the length of one request, and takes it out again with nothing
/// lost: what the SDK wrote through <c>BodyWriter</c> sits in the wrapper's pipe until it is completed.
/// </summary>
internal static class ResponseBodyWrapper
{
    public static async Task RunAsync(HttpContext context, Func<Stream, Stream> wrap, RequestDelegate next)
    {
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var wrapped = new StreamResponseBodyFeature(wrap(original.Stream), original);
        context.Features.Set<IHttpResponseBodyFeature>(wrapped);
        var succeeded = false;
        try
        {
            await next(context);
            succeeded = true;
        }
        finally
        {
            try
            {
                // Completing starts the response; after an exception that nothing has answered yet, the error
                // middleware must still be able to write its own status.
                if (succeeded || context.Response.HasStarted)
                {
                    await wrapped.CompleteAsync();
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The client is gone; there is nobody left to write to.
            }

            context.Features.Set(original);
        }
    }
}
