using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A host whose settings fail validation at start-up (<c>ValidateOnStart</c>) writes the validation message, one line,
/// to stderr and exits with code 1: no stack trace, no abort. The host's own "Hosting failed to start" log entry carries
/// the same message without a stack trace, so the dashboard and any OTLP backend say why the host did not start. Options
/// whose validation fails where they are first read, before start-up validation, end the host the same way. Every other
/// start-up failure is reported as before.
/// </summary>
internal static class InvalidSettings
{
    public const int ExitCode = 1;

    public static void ExitOnInvalidSettings(IServiceCollection services)
    {
        // The framework registers its validator (an internal type) the first time ValidateOnStart is called, only if none
        // is registered yet; this one goes first and wraps that same type.
        var framework = new ServiceCollection();
        framework.AddOptions<object>().ValidateOnStart();
        var validator = framework.Single(d => d.ServiceType == typeof(IStartupValidator)).ImplementationType!;
        services.AddTransient<IStartupValidator>(provider =>
            new OneLineStartupValidator((IStartupValidator)ActivatorUtilities.CreateInstance(provider, validator)));

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            // Options read before the start-up validation (by a service the host builds early) fail the same way.
            if (e.ExceptionObject is InvalidSettingsException or OptionsValidationException)
            {
                Console.Error.WriteLine($"Invalid settings: {((Exception)e.ExceptionObject).Message}");
                Environment.Exit(ExitCode);
            }
        };
    }

    private sealed class OneLineStartupValidator(IStartupValidator inner) : IStartupValidator
    {
        public void Validate()
        {
            try
            {
                inner.Validate();
            }
            catch (OptionsValidationException ex)
            {
                throw new InvalidSettingsException(ex.Message);
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
            {
                throw new InvalidSettingsException(string.Join(" ", ex.InnerExceptions.Select(e => e.Message)));
            }
        }
    }

    /// <summary>A setting is wrong: the message says which and how to fix it; where in the code it was found is of no use to an operator.</summary>
    private sealed class InvalidSettingsException(string message) : Exception(message)
    {
        public override string? StackTrace => null;

        public override string ToString() => Message;
    }
}
