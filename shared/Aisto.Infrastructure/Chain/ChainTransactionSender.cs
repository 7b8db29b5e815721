using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.NonceServices;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// The only path by which a key sends transactions, one at a time: simulate (a revert surfaces with its decoded
/// reason before anything is signed), send, await the receipt. After a failed send the nonce is re-read from the
/// chain. There is one sender per (RPC URL, key) in a process, so two callers with the same key never race nonces.
/// </summary>
public sealed class ChainTransactionSender
{
    private static readonly ConcurrentDictionary<(string RpcUrl, string Address), ChainTransactionSender> Senders = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Account _account;
    private readonly ILogger _logger;

    private ChainTransactionSender(string rpcUrl, Account account, long chainId, ILogger logger)
    {
        _account = account;
        _account.NonceService = new InMemoryNonceService(account.Address, new Web3(rpcUrl).Client);
        _logger = logger;
        Web3 = new Web3(account, rpcUrl);
        // Hardhat's automine accepts either; legacy pricing there saves the fee-history round trips. Elsewhere EIP-1559.
        Web3.TransactionManager.UseLegacyAsDefault = chainId == HardhatNode.ChainId;
    }

    public Web3 Web3 { get; }

    public string Address => _account.Address;

    /// <summary>How long to wait for a receipt before giving up (the transaction may still be mined later).</summary>
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The process-wide sender for this key on this chain.</summary>
    public static ChainTransactionSender For(string rpcUrl, string privateKey, long chainId, ILogger? logger = null)
    {
        var account = new Account(privateKey, chainId);
        return Senders.GetOrAdd((rpcUrl, account.Address.ToUpperInvariant()), _ => new ChainTransactionSender(rpcUrl, account, chainId, logger ?? NullLogger.Instance));
    }

    /// <summary>Sends <paramref name="data"/> to <paramref name="to"/> (null deploys) and returns the successful receipt.</summary>
    /// <exception cref="Aisto.Domain.Payouts.ContractRevertedException">The call reverts (in simulation or when mined).</exception>
    public async Task<TransactionReceipt> SendAsync(string action, string? to, string data, RevertDecoder decoder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var call = new CallInput { From = Address, To = to, Data = data };

            // 1. Simulate through gas estimation: a revert is reported with its data and nothing is signed.
            HexBigInteger estimate;
            try
            {
                estimate = await Web3.Eth.Transactions.EstimateGas.SendRequestAsync(call);
            }
            catch (Exception e) when (RevertDecoder.TryGetRevertData(e, out var revert))
            {
                throw decoder.Decode(action, revert, e);
            }

            // 2. Sign and send with headroom over the estimate; on failure the nonce is re-read. A nonce the node
            //    refuses (it was restarted, or another process used the key) means nothing was sent: send again at once.
            var input = new TransactionInput { From = Address, To = to, Data = data, Gas = new HexBigInteger(estimate.Value * 5 / 4 + 10_000) };
            string hash;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    input.Nonce = null; // Set by the signer on the input itself: take a fresh one from the reset service.
                    hash = await Web3.Eth.TransactionManager.SendTransactionAsync(input);
                    break;
                }
                catch (Exception e)
                {
                    await _account.NonceService.ResetNonceAsync();
                    _logger.LogWarning(e, "{Action}: send failed, nonce reset", action);
                    if (IsNonceRefused(e) && attempt < 3)
                    {
                        continue;
                    }

                    if (!IsNonceRefused(e) && RevertDecoder.TryGetRevertData(e, out var revert))
                    {
                        throw decoder.Decode(action, revert, e);
                    }

                    throw;
                }
            }

            // 3. Await the receipt; a mined failure is replayed as a call at its block to recover the reason.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReceiptTimeout);
            TransactionReceipt receipt;
            try
            {
                receipt = await Web3.TransactionReceiptPolling.PollForReceiptAsync(hash, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await _account.NonceService.ResetNonceAsync();
                throw new TimeoutException($"{action}: no receipt for {hash} within {ReceiptTimeout}; it may still be mined.");
            }

            if (receipt.Status?.Value == BigInteger.Zero)
            {
                throw await ExplainFailureAsync(action, call, receipt, decoder);
            }

            _logger.LogDebug("{Action}: {Hash} mined in block {Block}, gas {Gas}", action, hash, receipt.BlockNumber.Value, receipt.GasUsed.Value);
            return receipt;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The node refused the transaction's nonce ("nonce too high/low"): it was not sent.</summary>
    private static bool IsNonceRefused(Exception e) =>
        e is Nethereum.JsonRpc.Client.RpcResponseException rpc && rpc.Message.Contains("nonce", StringComparison.OrdinalIgnoreCase);

    private async Task<Exception> ExplainFailureAsync(string action, CallInput call, TransactionReceipt receipt, RevertDecoder decoder)
    {
        try
        {
            await Web3.Eth.Transactions.Call.SendRequestAsync(call, new BlockParameter(new HexBigInteger(receipt.BlockNumber.Value - 1)));
        }
        catch (Exception e) when (RevertDecoder.TryGetRevertData(e, out var revert))
        {
            return decoder.Decode(action, revert, e);
        }

        return new Aisto.Domain.Payouts.ContractRevertedException(
            "Unknown", [], "0x", $"{action}: transaction {receipt.TransactionHash} failed in block {receipt.BlockNumber.Value} (gas used {receipt.GasUsed.Value}) and its reason could not be recovered.");
    }
}
