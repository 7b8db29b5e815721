using System.Numerics;
using Aisto.Domain.Payouts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// <see cref="ITokenGateway"/> over Nethereum: calls the contracts through the ABIs compiled from contracts/src and
/// sends every transaction through the key's <see cref="ChainTransactionSender"/>.
/// </summary>
public sealed class NethereumTokenGateway : ITokenGateway
{
    private readonly IChainConnectionSource _source;
    private readonly ChainOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sessionGate = new(1, 1);
    private Session? _session;

    public NethereumTokenGateway(IChainConnectionSource source, IOptions<ChainOptions> options, ILogger<NethereumTokenGateway>? logger = null)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        // Nethereum's RPC timeout is a static of its client base class: one chain per process, so one setting.
        Nethereum.JsonRpc.Client.ClientBase.ConnectionTimeout = _options.RpcTimeout;
    }

    public async Task<PayoutTokenInfo> GetPayoutTokenAsync(CancellationToken cancellationToken = default)
    {
        var s = await SessionAsync(cancellationToken);
        var decimals = await s.Payout.GetFunction("decimals").CallAsync<byte>();
        return new PayoutTokenInfo(s.Connection.Contracts.PayoutToken, decimals);
    }

    public async Task<long> GetBlockNumberAsync(CancellationToken cancellationToken = default)
    {
        var s = await SessionAsync(cancellationToken);
        return (long)(await s.Sender.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
    }

    public async Task<IReadOnlyList<HolderBalance>> SnapshotHoldersAsync(long blockNumber, CancellationToken cancellationToken = default)
    {
        var s = await SessionAsync(cancellationToken);
        var transfer = s.Token.GetEvent("Transfer");
        var balances = new Dictionary<string, BigInteger>(StringComparer.Ordinal);
        var pages = 0;

        // 1. Replay every Transfer from the token's deployment to the snapshot block, a page of blocks at a time.
        for (var from = s.Connection.Contracts.TokenDeploymentBlock; from <= blockNumber; from += _options.LogPageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var to = Math.Min(blockNumber, from + _options.LogPageSize - 1);
            var logs = await s.Sender.Web3.Eth.Filters.GetLogs.SendRequestAsync(transfer.CreateFilterInput(Block(from), Block(to)));
            pages++;
            foreach (var log in transfer.DecodeAllEventsDefaultForEvent(logs))
            {
                var value = (BigInteger)Parameter(log.Event, "value");
                Move(balances, (string)Parameter(log.Event, "from"), -value);
                Move(balances, (string)Parameter(log.Event, "to"), value);
            }
        }

        // 2. Cross-check against the supply the token reports at that block: a missed page would show here.
        var supply = await s.Token.GetFunction("totalSupply").CallAsync<BigInteger>(Block(blockNumber));
        var sum = balances.Values.Aggregate(BigInteger.Zero, (a, b) => a + b);
        if (sum != supply)
        {
            throw new InvalidOperationException($"Snapshot at block {blockNumber} sums to {sum} but totalSupply is {supply}.");
        }

        _logger.LogInformation("Snapshot at block {Block}: {Holders} holders from {Pages} log pages", blockNumber, balances.Count(b => b.Value > 0), pages);
        return balances.Where(b => b.Value.Sign > 0)
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => new HolderBalance(b.Key, b.Value))
            .ToList();
    }

    public async Task<PublishedEpoch?> FindPublishedEpochAsync(long epoch, CancellationToken cancellationToken = default)
    {
        var s = await SessionAsync(cancellationToken);
        var state = await s.Distributor.GetFunction("epochs").CallDecodingToDefaultAsync(new BigInteger(epoch));
        var root = (byte[])state[0].Result;
        if (root.All(b => b == 0))
        {
            return null;
        }

        // The publishing transaction, found from its event: newest pages first, since recent epochs are near the head.
        var published = s.Distributor.GetEvent("EpochPublished");
        var head = await GetBlockNumberAsync(cancellationToken);
        for (var to = head; to >= s.Connection.Contracts.TokenDeploymentBlock; to -= _options.LogPageSize)
        {
            var from = Math.Max(s.Connection.Contracts.TokenDeploymentBlock, to - _options.LogPageSize + 1);
            var filter = published.CreateFilterInput([new BigInteger(epoch)], Block(from), Block(to));
            var events = published.DecodeAllEventsDefaultForEvent(await s.Sender.Web3.Eth.Filters.GetLogs.SendRequestAsync(filter));
            if (events.Count > 0)
            {
                var log = events[0];
                var receipt = await s.Sender.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(log.Log.TransactionHash);
                return new PublishedEpoch(
                    epoch,
                    Hex(root),
                    (BigInteger)Parameter(log.Event, "amount"),
                    (BigInteger)state[1].Result,
                    DateTimeOffset.FromUnixTimeSeconds((long)(BigInteger)state[2].Result),
                    Transaction(receipt));
            }
        }

        throw new InvalidOperationException($"Epoch {epoch} has a root on chain but no EpochPublished event since block {s.Connection.Contracts.TokenDeploymentBlock}.");
    }

    public async Task<PublishedEpoch> PublishEpochAsync(long epoch, string merkleRoot, BigInteger amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(merkleRoot);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var s = await SessionAsync(cancellationToken);

        // 1. Already published (a retried activity, or a crash after mining): the same root is success, another is not.
        if (await FindPublishedEpochAsync(epoch, cancellationToken) is { } existing)
        {
            return string.Equals(existing.MerkleRoot, merkleRoot, StringComparison.OrdinalIgnoreCase)
                ? existing
                : throw new InvalidOperationException($"Epoch {epoch} is already published with root {existing.MerkleRoot}, not {merkleRoot}.");
        }

        if (amount.Sign > 0)
        {
            // 2. Dev chain only: the operator mints itself the payout token it lacks.
            if (_options.MintPayoutShortfall ?? _options.Mode == ChainMode.DevChain)
            {
                var balance = await s.Payout.GetFunction("balanceOf").CallAsync<BigInteger>(s.Sender.Address);
                if (balance < amount)
                {
                    await SendAsync(s, $"Mint {amount - balance} payout token to the operator", s.Payout, "mint", cancellationToken, s.Sender.Address, amount - balance);
                }
            }

            // 3. Let the distributor pull exactly the pool (kept if a previous attempt already approved it).
            var allowance = await s.Payout.GetFunction("allowance").CallAsync<BigInteger>(s.Sender.Address, s.Distributor.Address);
            if (allowance < amount)
            {
                await SendAsync(s, $"Approve {amount} for epoch {epoch}", s.Payout, "approve", cancellationToken, s.Distributor.Address, amount);
            }
        }

        // 4. Publish and fund in one transaction.
        await SendAsync(s, $"Publish epoch {epoch}", s.Distributor, "publish", cancellationToken, new BigInteger(epoch), RootBytes(merkleRoot), amount);
        return await FindPublishedEpochAsync(epoch, cancellationToken)
            ?? throw new InvalidOperationException($"Epoch {epoch} was published but the distributor does not report it.");
    }

    public async Task<ChainTransaction> MintRewardAsync(string account, BigInteger amount, CancellationToken cancellationToken = default)
    {
        var s = await SessionAsync(cancellationToken);
        return Transaction(await SendAsync(s, $"Mint {amount} AISTO to {account}", s.Token, "mint", cancellationToken, account, amount));
    }

    public async Task<ChainTransaction> ClaimAsync(long epoch, int index, DividendAllocation allocation, IReadOnlyList<string> proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        ArgumentNullException.ThrowIfNull(proof);
        var s = await SessionAsync(cancellationToken);
        var proofBytes = proof.Select(RootBytes).ToList();
        return Transaction(await SendAsync(
            s, $"Claim epoch {epoch} for {allocation.Account}", s.Distributor, "claim", cancellationToken,
            new BigInteger(epoch), new BigInteger(index), allocation.Account, allocation.Amount, proofBytes));
    }

    public async Task<bool> IsClaimedAsync(long epoch, int index, CancellationToken cancellationToken = default)
    {
        var s = await SessionAsync(cancellationToken);
        return await s.Distributor.GetFunction("isClaimed").CallAsync<bool>(new BigInteger(epoch), new BigInteger(index));
    }

    public async Task<ChainTransaction> SweepEpochAsync(long epoch, string recipient, CancellationToken cancellationToken = default)
    {
        var s = await SessionAsync(cancellationToken);
        return Transaction(await SendAsync(s, $"Sweep epoch {epoch}", s.Distributor, "sweep", cancellationToken, new BigInteger(epoch), recipient));
    }

    public async Task<BigInteger> GetPayoutBalanceAsync(string account, CancellationToken cancellationToken = default)
    {
        var s = await SessionAsync(cancellationToken);
        return await s.Payout.GetFunction("balanceOf").CallAsync<BigInteger>(account);
    }

    private static Task<TransactionReceipt> SendAsync(Session s, string action, Contract contract, string function, CancellationToken cancellationToken, params object[] arguments) =>
        s.Sender.SendAsync(action, contract.Address, contract.GetFunction(function).GetData(arguments), s.Decoder, cancellationToken);

    private async Task<Session> SessionAsync(CancellationToken cancellationToken)
    {
        if (_session is { } ready)
        {
            return ready;
        }

        await _sessionGate.WaitAsync(cancellationToken);
        try
        {
            if (_session is null)
            {
                var connection = await _source.GetConnectionAsync(cancellationToken);
                var sender = ChainTransactionSender.For(connection.RpcUrl, connection.OperatorPrivateKey, connection.ChainId, _logger);
                sender.ReceiptTimeout = _options.ReceiptTimeout;
                var artifacts = connection.Artifacts;
                _session = new Session(
                    connection,
                    sender,
                    sender.Web3.Eth.GetContract(artifacts.AistoToken.Abi, connection.Contracts.AistoToken),
                    sender.Web3.Eth.GetContract(artifacts.DevStablecoin.Abi, connection.Contracts.PayoutToken),
                    sender.Web3.Eth.GetContract(artifacts.Distributor.Abi, connection.Contracts.Distributor),
                    new RevertDecoder(artifacts.Artifacts.Values));
            }

            return _session;
        }
        finally
        {
            _sessionGate.Release();
        }
    }

    private static void Move(Dictionary<string, BigInteger> balances, string account, BigInteger delta)
    {
        var key = EthereumAddress.Normalize(account);
        if (key == "0x0000000000000000000000000000000000000000")
        {
            return; // mints and burns
        }

        balances[key] = balances.GetValueOrDefault(key) + delta;
    }

    private static object Parameter(List<ParameterOutput> parameters, string name) =>
        parameters.Single(p => p.Parameter.Name == name).Result;

    private static BlockParameter Block(long number) => new(new HexBigInteger(number));

    private static byte[] RootBytes(string hex) =>
        Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex) is { Length: 32 } bytes
            ? bytes
            : throw new FormatException($"'{hex}' is not a 32-byte hash.");

    private static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);

    private static ChainTransaction Transaction(TransactionReceipt receipt) =>
        new(receipt.TransactionHash, (long)receipt.BlockNumber.Value, (long)receipt.GasUsed.Value);

    /// <summary>The connection and contract handles, made once.</summary>
    private sealed record Session(
        ChainConnection Connection,
        ChainTransactionSender Sender,
        Contract Token,
        Contract Payout,
        Contract Distributor,
        RevertDecoder Decoder);
}
