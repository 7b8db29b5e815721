using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Aisto.Domain.Payouts;
using Aisto.Infrastructure.Chain;
using Aisto.Infrastructure.Ledger;
using Aisto.Infrastructure.Runtime;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Aisto.Faults;

/// <summary>
/// Dividend epochs under kill -9: past epochs with revenue in the ledger are started through the operator route
/// while the app is killed and restarted; once, the Hardhat node dies while epochs run and comes back (empty, since
/// Hardhat keeps no state: the harness redeploys the contracts at the same addresses and mints the holders again).
/// At the end every epoch must be Completed, published exactly once on the chain that holds it with the root its
/// report states, and the distributor funded once per epoch.
/// </summary>
public static class PayoutFaults
{
    private static readonly string Alice = EthereumAddress.Normalize(new Nethereum.Web3.Accounts.Account(HardhatDevAccounts.Account1Key).Address);
    private static readonly string Bob = EthereumAddress.Normalize(new Nethereum.Web3.Accounts.Account(HardhatDevAccounts.Account2Key).Address);

    public static async Task<FaultReport> RunAsync(FaultSettings settings, ILoggerFactory logs)
    {
        var report = new FaultReport("payout");
        var logger = logs.CreateLogger("faults.payout");
        await using var rig = await FaultRig.StartAsync("payout", logs);
        var stateFile = Path.Combine(Path.GetTempPath(), $"aisto-faults-{rig.Prefix}-chain.json");
        var chainPort = ChildProcess.FreePort();
        var chain = await StartChainAsync(chainPort, stateFile, logger);
        try
        {
            rig.Set("Aisto:Chain:Mode", "DevChain");
            rig.Set("Aisto:Chain:DevChainPort", chainPort.ToString(CultureInfo.InvariantCulture));
            rig.Set("Aisto:Chain:DevChainStateFile", stateFile);

            // Revenue in each epoch to pay out: two hours of an H100 lease, written by the real meter.
            var ledger = new TableLedgerStore(new AistoTables(rig.Storage));
            var current = Ledger.Epochs.EpochOf(DateTimeOffset.UtcNow);
            var epochs = Enumerable.Range(1, Math.Max(3, (settings.Kills / 2) + 2)).Select(i => current - i).ToList();
            foreach (var epoch in epochs)
            {
                var from = Ledger.Epochs.StartOf(epoch) + TimeSpan.FromHours(1);
                await new LeaseMeter(ledger, Ledger.Epochs).ChargeToEndAsync(
                    new MeterLeaseInput($"lse_faults{epoch}", "tenant-a", 2.99m, from, from + TimeSpan.FromHours(2), 0m), CancellationToken.None);
            }

            report.Items = epochs.Count;
            await rig.StartAppAsync();
            using var operatorClient = rig.Client(FaultRig.OperatorKey);
            var random = new Random(settings.Seed + 3);
            var oldChain = new Dictionary<long, (int Events, string? Root)>();
            using (var stop = new CancellationTokenSource())
            {
                var starting = Task.Run(async () =>
                {
                    foreach (var epoch in epochs)
                    {
                        await KillSchedule.WaitUntilAsync(async () => await StartEpochAsync(operatorClient, epoch), TimeSpan.FromMinutes(2));
                        await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 2500)), CancellationToken.None);
                    }
                });
                var chainKillAt = Math.Max(0, settings.Kills / 3);
                await KillSchedule.RunAsync(
                    rig,
                    report,
                    settings.Kills,
                    new Random(settings.Seed),
                    beforeKill: async k =>
                    {
                        if (k == chainKillAt)
                        {
                            // The chain node dies mid-payout: record what it held, then it is gone while the app runs on.
                            foreach (var epoch in epochs)
                            {
                                oldChain[epoch] = (await CountPublishedAsync(chain.Connection, epoch), (await chain.Gateway.FindPublishedEpochAsync(epoch))?.MerkleRoot);
                            }

                            await chain.Node.DisposeAsync();
                            logger.LogInformation("Hardhat killed mid-payout");
                            await Task.Delay(TimeSpan.FromSeconds(3));
                        }
                    },
                    whileDown: async k =>
                    {
                        if (k == chainKillAt)
                        {
                            // Back, redeployed while the app is down (the operator key's nonces must not interleave).
                            chain = await StartChainAsync(chainPort, stateFile, logger);
                            report.ChainRestarts++;
                        }
                    });
                await starting;
            }

            // Quiescence: every epoch Completed; a Failed one is started again, as an operator would.
            var last = new Dictionary<long, JsonElement>();
            var quiet = await KillSchedule.WaitUntilAsync(
                async () =>
                {
                    foreach (var epoch in epochs)
                    {
                        using var response = await operatorClient.GetAsync(new Uri($"/api/payouts/epochs/{epoch}", UriKind.Relative));
                        if (!response.IsSuccessStatusCode)
                        {
                            await StartEpochAsync(operatorClient, epoch);
                            continue;
                        }

                        last[epoch] = await response.Content.ReadFromJsonAsync<JsonElement>();
                        if (last[epoch].GetProperty("status").GetString() == "Failed")
                        {
                            logger.LogInformation("Epoch {Epoch} failed ({Reason}); starting it again", epoch, last[epoch].GetProperty("failureReason"));
                            await StartEpochAsync(operatorClient, epoch);
                        }
                    }

                    return epochs.All(e => last.TryGetValue(e, out var r) && r.GetProperty("status").GetString() == "Completed");
                },
                TimeSpan.FromMinutes(5));
            logger.LogInformation("Epochs quiescent: {Quiet}", quiet);

            // Invariants: completed; published once, on the chain that has it, with the report's root; funded once.
            var fundedHere = BigInteger.Zero;
            foreach (var epoch in epochs)
            {
                var status = last.TryGetValue(epoch, out var r) ? r.GetProperty("status").GetString() : "(missing)";
                report.Check(status == "Completed", () => $"epoch {epoch} ended {status}: {(last.TryGetValue(epoch, out var x) ? x.ToString() : "")}");
                if (status != "Completed")
                {
                    continue;
                }

                var root = r.GetProperty("merkleRoot").GetString();
                var events = await CountPublishedAsync(chain.Connection, epoch);
                var onChain = (await chain.Gateway.FindPublishedEpochAsync(epoch))?.MerkleRoot;
                if (events == 0 && oldChain.TryGetValue(epoch, out var before) && before.Events > 0)
                {
                    report.Check(before.Events == 1 && string.Equals(before.Root, root, StringComparison.OrdinalIgnoreCase), () =>
                        $"epoch {epoch}: {before.Events} publications on the chain before its restart, root {before.Root} vs report {root}");
                }
                else
                {
                    report.Check(events == 1 && string.Equals(onChain, root, StringComparison.OrdinalIgnoreCase), () =>
                        $"epoch {epoch}: {events} publications on chain, root {onChain} vs report {root}");
                    fundedHere += BigInteger.Parse(r.GetProperty("dividendPool").GetString()!, CultureInfo.InvariantCulture);
                }

                var claim = await operatorClient.GetFromJsonAsync<JsonElement>(new Uri($"/api/payouts/epochs/{epoch}/claims/{Alice}", UriKind.Relative));
                var pool = BigInteger.Parse(r.GetProperty("dividendPool").GetString()!, CultureInfo.InvariantCulture);
                report.Check(BigInteger.Parse(claim.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture) == pool * 3 / 4, () =>
                    $"epoch {epoch}: alice's claim {claim.GetProperty("amount")} is not 3/4 of the pool {pool}");
            }

            // The distributor holds one seed unit plus every pool published on this chain: each funded once.
            var balance = await chain.Gateway.GetPayoutBalanceAsync(chain.Connection.Contracts.Distributor);
            report.Check(balance == fundedHere + BigInteger.One, () => $"distributor holds {balance}, pools published here sum to {fundedHere} (+1 seed)");
            return report;
        }
        finally
        {
            await chain.Node.DisposeAsync();
            File.Delete(stateFile);
        }
    }

    private static async Task<bool> StartEpochAsync(HttpClient operatorClient, long epoch)
    {
        using var response = await operatorClient.PostAsJsonAsync(new Uri("/api/payouts/epochs", UriKind.Relative), new { epoch });
        return response.IsSuccessStatusCode;
    }

    /// <summary>A Hardhat node on <paramref name="port"/> with the contracts (deployed again when the node is new) and the two holders (3:1).</summary>
    private static async Task<Chain> StartChainAsync(int port, string stateFile, ILogger logger)
    {
        var node = await HardhatNode.StartAsync(NpmWorkspace.Find(), port, logger);
        await using var devChain = new DevChain(new ChainOptions { DevChainPort = port, DevChainStateFile = stateFile }, NpmWorkspace.Find(), logger);
        var connection = await devChain.GetConnectionAsync();
        var gateway = new NethereumTokenGateway(new FixedConnection(connection), Options.Create(new ChainOptions { MintPayoutShortfall = true }));
        await gateway.MintRewardAsync(Alice, 3_000);
        await gateway.MintRewardAsync(Bob, 1_000);
        logger.LogInformation("Chain at {RpcUrl}: distributor {Distributor}", connection.RpcUrl, connection.Contracts.Distributor);
        return new Chain(node, connection, gateway);
    }

    /// <summary>EpochPublished events for <paramref name="epoch"/> from block 0 to the head.</summary>
    private static async Task<int> CountPublishedAsync(ChainConnection connection, long epoch)
    {
        var web3 = new Web3(connection.RpcUrl);
        var published = web3.Eth.GetContract(connection.Artifacts.Distributor.Abi, connection.Contracts.Distributor).GetEvent("EpochPublished");
        var filter = published.CreateFilterInput([new BigInteger(epoch)], new BlockParameter(new HexBigInteger(0)), BlockParameter.CreateLatest());
        return (await web3.Eth.Filters.GetLogs.SendRequestAsync(filter)).Length;
    }

    private sealed record Chain(HardhatNode Node, ChainConnection Connection, NethereumTokenGateway Gateway);

    private sealed class FixedConnection(ChainConnection connection) : IChainConnectionSource
    {
        public Task<ChainConnection> GetConnectionAsync(CancellationToken cancellationToken = default) => Task.FromResult(connection);
    }
}
