using System.Globalization;
using Coffer.Core.Errors;

namespace Coffer.Core.Rotation;

/// <summary>Durations as people write them in policies and token requests: <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>90d</c>.</summary>
public static class DurationText
{
    public static readonly TimeSpan Max = TimeSpan.FromDays(3650);

    /// <param name="max">The longest allowed (default <see cref="Max"/>).</param>
    public static TimeSpan Parse(string? text, string field, TimeSpan? max = null)
    {
        var limit = max ?? Max;
        if (text is { Length: >= 2 and <= 12 }
            && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            && amount > 0)
        {
            TimeSpan? span = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (span is { } value && value <= limit)
            {
                return value;
            }
        }

        throw CofferException.Invalid("InvalidField", $"{field} must be a duration such as 30m, 12h or 90d, at most {limit.TotalDays} days", field);
    }

    public static string Format(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.TotalDays.ToString(CultureInfo.InvariantCulture)}d"
        : span.Ticks % TimeSpan.TicksPerHour == 0 ? $"{span.TotalHours.ToString(CultureInfo.InvariantCulture)}h"
        : span.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{span.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
        : $"{Math.Ceiling(span.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";
}
