namespace Coffer.Server.Hosting;

/// <summary>Copies log lines to a writer (one line each: level, category, message), for embedders and tests.</summary>
internal sealed class WriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    private readonly TextWriter writer = TextWriter.Synchronized(writer);

    public ILogger CreateLogger(string categoryName) => new WriterLogger(writer, categoryName);

    public void Dispose()
    {
        // The writer belongs to whoever passed it in.
    }

    private sealed class WriterLogger(TextWriter writer, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Exceptions appear by type only, as in the console log: their messages could quote input.
            writer.WriteLine($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : $" ({exception.GetType().Name})")}");
        }
    }
}
