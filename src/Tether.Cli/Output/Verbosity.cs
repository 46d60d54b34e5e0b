using System.CommandLine;

namespace Tether.Cli.Output;

/// <summary>How much a command prints.</summary>
internal enum Verbosity
{
    /// <summary>Only errors and what the command exists to print.</summary>
    Quiet,

    /// <summary>The default.</summary>
    Normal,

    /// <summary>Also the steps as they happen, on stderr.</summary>
    Detailed,
}

/// <summary>The <c>--verbosity</c> option, the same on every command that has it.</summary>
internal static class VerbosityOption
{
    /// <summary>Creates the option (<c>-v</c>), default <see cref="Verbosity.Normal"/>.</summary>
    public static Option<Verbosity> Create() => new("--verbosity", "-v")
    {
        Description = "How much to print: quiet, normal or detailed (steps on stderr). Default: normal.",
        HelpName = "LEVEL",
        DefaultValueFactory = _ => Verbosity.Normal,
    };
}
