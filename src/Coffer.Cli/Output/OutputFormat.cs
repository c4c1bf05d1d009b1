namespace Coffer.Cli.Output;

internal enum OutputFormat
{
    Table,
    Json,
    Yaml,
}
