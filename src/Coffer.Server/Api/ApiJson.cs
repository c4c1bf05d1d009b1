using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Coffer.Core.Errors;

namespace Coffer.Server.Api;

/// <summary>Strict JSON in, compact JSON out: bodies are size-limited, unknown fields and duplicates rejected.</summary>
internal static class ApiJson
{
    public const string ApiVersion = "coffer.dev/v1";
    public const int DefaultMaxBodyBytes = 64 * 1024;
    public const string JsonContentType = "application/json; charset=utf-8";

    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        if (request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new CofferException(ErrorKind.Invalid, "UnsupportedMediaType", "the request body must be application/json");
        }

        using var buffer = await ReadBodyAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            throw CofferException.Invalid("MalformedJson", "the request body is empty; a JSON object is required");
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo)
                ?? throw CofferException.Invalid("MalformedJson", "the request body must be a JSON object, not null");
        }
        catch (JsonException e)
        {
            // The parser's own message may quote input, so only its path and class are passed on.
            var path = e.Path is null or "$" ? null : e.Path.TrimStart('$', '.');
            if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
            {
                throw CofferException.Invalid("UnknownField", $"unknown field{(path is null ? string.Empty : $" at '{path}'")}", path);
            }

            if (e.Message.Contains("could not be converted", StringComparison.Ordinal) || e.Message.Contains("missing required", StringComparison.Ordinal))
            {
                throw CofferException.Invalid("WrongType", $"field '{path ?? "(body)"}' has the wrong type", path);
            }

            if (e.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
            {
                throw CofferException.Invalid("DuplicateField", $"duplicate field{(path is null ? string.Empty : $" at '{path}'")}", path);
            }

            throw CofferException.Invalid("MalformedJson", $"the request body is not valid JSON{(e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : string.Empty)}", path);
        }
        finally
        {
            // The body may hold secret values.
            CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        }
    }

    /// <summary>The whole body, refused with 413 past <paramref name="maxBytes"/> whatever Content-Length claimed; the caller zeroes it.</summary>
    public static async Task<MemoryStream> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                CryptographicOperations.ZeroMemory(buffer.GetBuffer());
                CryptographicOperations.ZeroMemory(chunk);
                throw TooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        CryptographicOperations.ZeroMemory(chunk);
        return buffer;
    }

    /// <summary>
    /// Serialises before writing so the response has a Content-Length and goes out in one write, not chunked;
    /// the buffer may hold secret values, so it is zeroed afterwards.
    /// </summary>
    public static async Task WriteAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        try
        {
            response.ContentType = JsonContentType;
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(body);
        }
    }

    public static CofferException TooLarge(int maxBytes) =>
        new(ErrorKind.TooLarge, "RequestTooLarge", $"the request body must be at most {maxBytes} bytes");
}
