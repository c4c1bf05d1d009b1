using System.Globalization;

namespace Coffer.Benchmarks;

/// <summary>How long and how hard each phase loads the server; <c>--quick</c> is a smoke run.</summary>
internal sealed record BenchmarkSettings(TimeSpan Warmup, TimeSpan Window, int Rounds, IReadOnlyList<int> Concurrencies, int PayloadBytes, bool Breakdown = false)
{
    public const string Usage =
        "usage: Coffer.Benchmarks [--quick] [--warmup SECONDS] [--window SECONDS] [--rounds N] [--concurrency 1,16] [--payload BYTES] [--breakdown] [--kms]";

    public static BenchmarkSettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), 5, [1, 16], 200);

    public static BenchmarkSettings Quick { get; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), 1, [1, 16], 200);

    public static BenchmarkSettings Parse(IReadOnlyList<string> args)
    {
        var settings = args.Contains("--quick") ? Quick : Default;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--breakdown":
                    settings = settings with { Breakdown = true };
                    break;
                case "--warmup":
                    settings = settings with { Warmup = TimeSpan.FromSeconds(Number(args, ++i, 0)) };
                    break;
                case "--window":
                    settings = settings with { Window = TimeSpan.FromSeconds(Number(args, ++i, 0.05)) };
                    break;
                case "--rounds":
                    settings = settings with { Rounds = (int)Number(args, ++i, 1) };
                    break;
                case "--payload":
                    settings = settings with { PayloadBytes = (int)Number(args, ++i, 1) };
                    break;
                case "--concurrency":
                    settings = settings with { Concurrencies = Value(args, ++i).Split(',').Select(c => (int)Parse(c, 1)).Distinct().ToList() };
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        return settings;
    }

    private static string Value(IReadOnlyList<string> args, int index) =>
        index < args.Count ? args[index] : throw new ArgumentException($"{args[index - 1]} needs a value");

    private static double Number(IReadOnlyList<string> args, int index, double minimum) => Parse(Value(args, index), minimum);

    private static double Parse(string text, double minimum) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"'{text}' must be a number of at least {minimum.ToString(CultureInfo.InvariantCulture)}");
}
