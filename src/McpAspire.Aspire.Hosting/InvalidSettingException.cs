namespace Aspire.Hosting;

/// <summary>
/// One of the AppHost's own settings is wrong; the message names the setting and its valid values. The AppHost prints it
/// on one line and exits with code 1 (<see cref="ExitOnInvalidSettings"/>).
/// </summary>
public sealed class InvalidSettingException(string message) : Exception(message)
{
    /// <summary>The exit code of an AppHost stopped by a wrong setting.</summary>
    public const int ExitCode = 1;

    /// <summary>None: the message says everything an operator needs.</summary>
    public override string? StackTrace => null;

    /// <summary>The message alone.</summary>
    public override string ToString() => Message;

    /// <summary>From here on, an <see cref="InvalidSettingException"/> nobody catches ends the process with its message on stderr and exit code 1.</summary>
    public static void ExitOnInvalidSettings() =>
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is InvalidSettingException invalid)
            {
                Console.Error.WriteLine($"Invalid settings: {invalid.Message}");
                Environment.Exit(ExitCode);
            }
        };
}
