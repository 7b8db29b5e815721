using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Aisto.Functions.Http;

/// <summary>Reads a request body as one JSON object, within a size limit, or says precisely what is wrong.</summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<(JsonObjectReader? Reader, IResult? Problem)> ReadObjectAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, Problems.PayloadTooLarge(MaxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return (null, Problems.PayloadTooLarge(MaxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, Problems.Validation("body", "A JSON object is required."));
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Problems.Validation("body", "The body must be a JSON object."));
            }

            return (new JsonObjectReader(document.RootElement.Clone(), ""), null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Validation("body", $"The body is not valid JSON: {ex.Message}"));
        }
    }
}
