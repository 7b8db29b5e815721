namespace Aisto.Domain.Payouts;

/// <summary>The one spelling of an account the payout math uses: "0x" and 40 lowercase hex digits.</summary>
public static class EthereumAddress
{
    /// <exception cref="FormatException">Not a 20-byte hex address.</exception>
    public static string Normalize(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var hex = address.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? address.AsSpan(2) : address.AsSpan();
        if (hex.Length != 40)
        {
            throw new FormatException($"'{address}' is not a 20-byte hex address.");
        }

        var lowercase = address.Length == 42 && address[1] == 'x';
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw new FormatException($"'{address}' is not a 20-byte hex address.");
            }

            lowercase &= !char.IsAsciiLetterUpper(c);
        }

        // Already canonical (the common case at scale): no new string.
        return lowercase ? address : string.Concat("0x", hex.ToString().ToLowerInvariant());
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
