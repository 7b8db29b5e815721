using System.Numerics;
using System.Text.Json;
using Aisto.Domain.Payouts;
using Aisto.Infrastructure.Runtime;

namespace Aisto.Functions.Tests.Monitoring;

/// <summary>The dashboard's hand-written Keccak-256 and Merkle root (run in Node) against the domain and OpenZeppelin.</summary>
public sealed class DashboardMerkleTests
{
    [Fact]
    public async Task The_dashboard_computes_the_same_roots_as_the_domain_and_OpenZeppelin()
    {
        var random = new Random(8);
        var sets = Enumerable.Range(0, 40).Select(s => Enumerable.Range(0, s < 5 ? s + 1 : random.Next(1, 300))
                .Select(i => new DividendAllocation(
                    "0x" + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + $"{s:x8}{i:x16}",
                    s == 0 ? (BigInteger.One << 256) - 1 : new BigInteger(random.NextInt64()) * random.Next())) // uint256 max included
                .ToList())
            .ToList();
        var input = JsonSerializer.Serialize(new { sets = sets.Select(set => set.Select(a => new[] { a.Account, a.Amount.ToString() })) });

        var output = await NpmWorkspace.Find().RunNodeAsync(
            Path.Combine("tests", "Aisto.Functions.Tests", "Monitoring", "dashboard-merkle.mjs"), [], input);

        var results = JsonDocument.Parse(output).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(sets.Count, results.Count);
        for (var i = 0; i < sets.Count; i++)
        {
            var domain = MerkleTree.Build(sets[i]).Root;
            Assert.Equal(domain, results[i].GetProperty("dashboard").GetString());
            Assert.Equal(domain, results[i].GetProperty("openZeppelin").GetString());
        }
    }

    [Fact]
    public async Task The_dashboard_keccak_matches_known_vectors()
    {
        var output = await NpmWorkspace.Find().RunNodeAsync(
            Path.Combine("tests", "Aisto.Functions.Tests", "Monitoring", "dashboard-merkle.mjs"), ["--vectors"], "{}");

        var vectors = JsonDocument.Parse(output).RootElement;
        Assert.Equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", vectors.GetProperty("empty").GetString());
        Assert.Equal("0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", vectors.GetProperty("abc").GetString());
        // 200 bytes span two 136-byte blocks; the reference is Node's ethereum-cryptography (installed with Hardhat).
        Assert.Equal(vectors.GetProperty("twoBlocksReference").GetString(), vectors.GetProperty("twoBlocks").GetString());
    }
}
