using System.Globalization;

namespace Aisto.Domain.Payouts;

/// <summary>The one spelling of an account the payout math uses: "0x" and 40 lowercase hex digits.</summary>
public static class EthereumAddress
{
    /// <exception cref="FormatException">Not a 20-byte hex address.</exception>
    public static string Normalize(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var hex = address.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? address[2..] : address;
        if (hex.Length != 40 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new FormatException($"'{address}' is not a 20-byte hex address.");
        }

        return "0x" + hex.ToLower(CultureInfo.InvariantCulture);
    }

    /// <summary>Writes the address's 20 bytes into <paramref name="destination"/>.</summary>
    public static void WriteBytes(string address, Span<byte> destination)
    {
        var hex = Normalize(address).AsSpan(2);
        if (Convert.FromHexString(hex, destination, out _, out var written) != System.Buffers.OperationStatus.Done || written != 20)
        {
            throw new FormatException($"'{address}' is not a 20-byte hex address.");
        }
    }
}
