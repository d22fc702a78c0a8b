using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary>How blobs are written in JSON.</summary>
internal enum BlobFormat
{
    Base64,
    Hex,
}

/// <summary>JSON settings and writers shared by the commands.</summary>
internal static class JsonOutput
{
    /// <summary>The reports' JSON form, which <c>report</c> reads back (<see cref="Reporting.ReportJson"/>).</summary>
    public static JsonSerializerOptions Options => Reporting.ReportJson.Options;

    public static Utf8JsonWriter CreateWriter(Stream stream) => new(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static void WriteValue(Utf8JsonWriter writer, object? value, BlobFormat blobs)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case double d:
                writer.WriteStringValue(d.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case byte[] b:
                writer.WriteStringValue(blobs == BlobFormat.Hex ? Convert.ToHexStringLower(b) : Convert.ToBase64String(b));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }

    public static void WriteFinding(Utf8JsonWriter writer, SqliteFinding finding) =>
        JsonSerializer.Serialize(writer, finding, Options);
}
