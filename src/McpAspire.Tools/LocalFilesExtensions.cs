using McpAspire.Tools;
using McpAspire.Tools.Files;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class LocalFilesExtensions
{
    /// <summary>Adds <c>read_file</c> over the roots in <c>McpAspire:Files:Roots</c>. For the local (stdio) host only.</summary>
    public static IMcpServerBuilder WithMcpAspireLocalFiles(this IMcpServerBuilder builder)
    {
        builder.Services.AddOptions<FileRootsOptions>().BindConfiguration(FileRootsOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileRootsOptions>, FileRootsOptionsValidator>());
        builder.Services.TryAddSingleton<FileRootGuard>();
        return builder.WithMcpAspireTools<ReadFileTool>(ToolsJson.Options);
    }
}
