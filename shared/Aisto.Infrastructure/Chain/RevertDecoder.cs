using System.Globalization;
using System.Numerics;
using Aisto.Domain.Payouts;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// Turns revert data into <see cref="ContractRevertedException"/>: custom errors by the compiled ABIs (ours and
/// OpenZeppelin's, e.g. AlreadyClaimed, ERC20InsufficientAllowance), plus Solidity's Error(string) and Panic(uint256).
/// </summary>
public sealed class RevertDecoder
{
    private const string ErrorStringSelector = "08c379a0";
    private const string PanicSelector = "4e487b71";
    private readonly Dictionary<string, ErrorABI> _errors = new(StringComparer.OrdinalIgnoreCase);

    public RevertDecoder(IEnumerable<ContractArtifact> artifacts)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        var deserializer = new ABIJsonDeserialiser();
        foreach (var artifact in artifacts)
        {
            foreach (var error in deserializer.DeserialiseContract(artifact.Abi).Errors)
            {
                _errors.TryAdd(error.Sha3Signature, error);
            }
        }
    }

    /// <summary>Decodes <paramref name="revertData"/> (0x-hex) for a call described by <paramref name="action"/>.</summary>
    public ContractRevertedException Decode(string action, string revertData, Exception? innerException = null)
    {
        var hex = revertData.RemoveHexPrefix();
        var selector = hex.Length >= 8 ? hex[..8] : hex;
        var data = "0x" + hex;
        if (selector.Equals(ErrorStringSelector, StringComparison.OrdinalIgnoreCase))
        {
            var reason = new FunctionCallDecoder().DecodeFunctionErrorMessage(data);
            return new ContractRevertedException("Error", [new("reason", reason)], data, $"{action} reverted: \"{reason}\"", innerException);
        }

        if (selector.Equals(PanicSelector, StringComparison.OrdinalIgnoreCase))
        {
            var code = new BigInteger(Convert.FromHexString(hex[8..]), isUnsigned: true, isBigEndian: true);
            return new ContractRevertedException("Panic", [new("code", code)], data, $"{action} panicked with code 0x{code:x}", innerException);
        }

        if (_errors.TryGetValue(selector, out var error))
        {
            var arguments = error.DecodeErrorDataToDefault(data)
                .Select(p => new KeyValuePair<string, object?>(p.Parameter.Name, Display(p.Result)))
                .ToList();
            var rendered = string.Join(", ", arguments.Select(a => $"{a.Key}: {a.Value}"));
            return new ContractRevertedException(error.Name, arguments, data, $"{action} reverted with {error.Name}({rendered})", innerException);
        }

        return new ContractRevertedException("Unknown", [], data, $"{action} reverted{(hex.Length == 0 ? " without a reason" : $" with unknown error data {data}")}", innerException);
    }

    /// <summary>Finds revert data in what Nethereum or the node threw; false when the failure was not a revert.</summary>
    public static bool TryGetRevertData(Exception exception, out string revertData)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SmartContractCustomErrorRevertException custom:
                    revertData = custom.ExceptionEncodedData;
                    return true;
                case SmartContractRevertException revert:
                    revertData = revert.EncodedData ?? "0x";
                    return true;
                case RpcResponseException rpc when rpc.RpcError?.Data is not null:
                    var data = rpc.RpcError.GetDataAsString();
                    if (data is not null && data.IsHex())
                    {
                        revertData = data;
                        return true;
                    }

                    break;
                case RpcResponseException rpc when rpc.RpcError?.Message?.Contains("revert", StringComparison.OrdinalIgnoreCase) == true:
                    revertData = "0x";
                    return true;
            }
        }

        revertData = string.Empty;
        return false;
    }

    private static object? Display(object? value) => value switch
    {
        byte[] bytes => "0x" + Convert.ToHexStringLower(bytes),
        BigInteger big => big.ToString(CultureInfo.InvariantCulture),
        _ => value,
    };
}
