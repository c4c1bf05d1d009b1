namespace Coffer.Cli;

/// <summary>Exit codes scripts can rely on; docs/cli.md lists them.</summary>
public static class CliExitCode
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int Conflict = 4;
    public const int Unauthorized = 5;
    public const int Unavailable = 6;
    public const int Invalid = 7;

    public static int ForHttpStatus(int status) => status switch
    {
        400 or 413 or 415 or 422 => Invalid,
        401 or 403 => Unauthorized,
        404 => NotFound,
        409 => Conflict,
        503 => Unavailable,
        _ => Error,
    };
}
