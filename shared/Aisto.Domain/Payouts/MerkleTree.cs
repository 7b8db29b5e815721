using System.Numerics;
using Org.BouncyCastle.Crypto.Digests;

namespace Aisto.Domain.Payouts;

/// <summary>
/// A Merkle tree of allocations, each leaf (uint256 index, address account, uint256 amount) with index = the
/// allocation's position in the list, built exactly as OpenZeppelin's
/// <c>StandardMerkleTree.of(values, ["uint256", "address", "uint256"])</c> builds it: same leaves, same layout, same
/// root and proofs, so a proof verifies with OpenZeppelin's <c>MerkleProof</c> in the distributor contract.
/// </summary>
/// <remarks>
/// leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, amount)))); the index in the leaf lets the
/// distributor keep claimed flags as a bitmap of indexes (cheaper than a slot per account); leaves sorted ascending by
/// hash; the tree is a flat array of 2n−1 nodes, node i has children 2i+1 and 2i+2, leaf k (in sorted order) sits at
/// 2n−2−k; an inner node is keccak256 of its two children concatenated smaller first. The ABI encoding of the three
/// static words is written here by hand (the 32-byte big-endian index, 12 zero bytes + 20 address bytes, then the
/// 32-byte big-endian amount).
/// Keccak-256 is BouncyCastle's digest, reused per thread; large trees hash leaves and each level in parallel
/// (the result does not depend on the schedule).
/// </remarks>
public sealed class MerkleTree
{
    private const int HashSize = 32;
    private const int ParallelThreshold = 4_096;
    private static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;

    private readonly byte[] _nodes;
    private readonly int[] _treeIndexOfValue;
    private readonly Dictionary<string, int> _valueIndexOfAccount;

    private MerkleTree(IReadOnlyList<DividendAllocation> values, byte[] nodes, int[] treeIndexOfValue, Dictionary<string, int> valueIndexOfAccount)
    {
        Values = values;
        _nodes = nodes;
        _treeIndexOfValue = treeIndexOfValue;
        _valueIndexOfAccount = valueIndexOfAccount;
    }

    /// <summary>The allocations in the order given to <see cref="Build"/> (OpenZeppelin's value index).</summary>
    public IReadOnlyList<DividendAllocation> Values { get; }

    /// <summary>The root as 0x-prefixed lowercase hex.</summary>
    public string Root => NodeHex(0);

    public int NodeCount => _nodes.Length / HashSize;

    /// <exception cref="ArgumentException">No allocations, an account twice, or an amount outside uint256.</exception>
    public static MerkleTree Build(IReadOnlyList<DividendAllocation> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("A Merkle tree needs at least one allocation.", nameof(values));
        }

        var n = values.Count;
        var nodes = new byte[(2 * n - 1) * HashSize];
        var leaves = new byte[n * HashSize];
        var accounts = new string[n];
        var valueIndexOfAccount = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            accounts[i] = EthereumAddress.Normalize(values[i].Account);
            if (!valueIndexOfAccount.TryAdd(accounts[i], i))
            {
                throw new ArgumentException($"Account {accounts[i]} has two allocations.", nameof(values));
            }
        }

        // 1. Leaf hashes, in value order.
        ForRange(0, n, (digest, i) => LeafHash(digest, i, accounts[i], values[i].Amount, leaves.AsSpan(i * HashSize, HashSize)));

        // 2. Sort value indexes by leaf hash (bytewise = numeric, as OpenZeppelin compares); ties cannot occur because
        //    accounts are unique, the index tiebreak only keeps the order total.
        var sorted = new int[n];
        for (var i = 0; i < n; i++)
        {
            sorted[i] = i;
        }

        Array.Sort(sorted, (a, b) =>
        {
            var c = leaves.AsSpan(a * HashSize, HashSize).SequenceCompareTo(leaves.AsSpan(b * HashSize, HashSize));
            return c != 0 ? c : a.CompareTo(b);
        });

        // 3. Leaf k (sorted) goes to node 2n−2−k.
        var treeIndexOfValue = new int[n];
        var last = 2 * n - 2;
        for (var k = 0; k < n; k++)
        {
            var treeIndex = last - k;
            leaves.AsSpan(sorted[k] * HashSize, HashSize).CopyTo(nodes.AsSpan(treeIndex * HashSize));
            treeIndexOfValue[sorted[k]] = treeIndex;
        }

        // 4. Inner nodes 0…n−2, a depth at a time from the deepest: node i's children 2i+1 and 2i+2 are deeper.
        var deepest = BitOperations.Log2((uint)Math.Max(1, n - 1));
        for (var depth = deepest; depth >= 0; depth--)
        {
            var first = (1 << depth) - 1;
            var end = Math.Min((1 << (depth + 1)) - 1, n - 1);
            ForRange(first, end, (digest, i) => HashPair(
                digest,
                nodes.AsSpan((2 * i + 1) * HashSize, HashSize),
                nodes.AsSpan((2 * i + 2) * HashSize, HashSize),
                nodes.AsSpan(i * HashSize, HashSize)));
        }

        return new MerkleTree(values, nodes, treeIndexOfValue, valueIndexOfAccount);
    }

    /// <summary>The proof for the allocation at <paramref name="valueIndex"/>, leaf to root, as 0x-hex.</summary>
    public IReadOnlyList<string> GetProof(int valueIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(valueIndex, _treeIndexOfValue.Length);
        var proof = new List<string>();
        for (var index = _treeIndexOfValue[valueIndex]; index > 0; index = (index - 1) / 2)
        {
            var sibling = index % 2 == 1 ? index + 1 : index - 1;
            proof.Add(NodeHex(sibling));
        }

        return proof;
    }

    /// <summary>The account's allocation and proof, or false when the account has no allocation.</summary>
    public bool TryGetProof(string account, out DividendAllocation allocation, out IReadOnlyList<string> proof) =>
        TryGetProof(account, out _, out allocation, out proof);

    /// <summary>The account's leaf index (what the contract's claim takes), allocation and proof.</summary>
    public bool TryGetProof(string account, out int index, out DividendAllocation allocation, out IReadOnlyList<string> proof)
    {
        if (_valueIndexOfAccount.TryGetValue(EthereumAddress.Normalize(account), out index))
        {
            allocation = Values[index];
            proof = GetProof(index);
            return true;
        }

        index = -1;
        allocation = null!;
        proof = [];
        return false;
    }

    /// <summary>All nodes in OpenZeppelin's layout (<c>tree.dump().tree</c>), root first.</summary>
    public IReadOnlyList<string> GetNodes() => Enumerable.Range(0, NodeCount).Select(NodeHex).ToList();

    /// <summary>Recomputes the root from a leaf and its proof, as OpenZeppelin's <c>MerkleProof.processProof</c> does.</summary>
    public static bool Verify(string root, int index, string account, BigInteger amount, IEnumerable<string> proof)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(proof);
        var digest = new KeccakDigest(256);
        var node = new byte[HashSize];
        LeafHash(digest, index, EthereumAddress.Normalize(account), amount, node);
        foreach (var sibling in proof)
        {
            HashPair(digest, node, Convert.FromHexString(sibling.AsSpan(2)), node);
        }

        return string.Equals(ToHex(node), root, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>keccak256(bytes.concat(keccak256(abi.encode(index, account, amount)))).</summary>
    public static string LeafHashHex(int index, string account, BigInteger amount)
    {
        var leaf = new byte[HashSize];
        LeafHash(new KeccakDigest(256), index, EthereumAddress.Normalize(account), amount, leaf);
        return ToHex(leaf);
    }

    private static void LeafHash(KeccakDigest digest, int index, string account, BigInteger amount, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (amount.Sign < 0 || amount > MaxUint256)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "An amount must fit in uint256.");
        }

        Span<byte> encoded = stackalloc byte[3 * HashSize];
        encoded.Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(encoded.Slice(HashSize - 4, 4), index);
        EthereumAddress.WriteBytes(account, encoded.Slice(HashSize + 12, 20));
        var length = amount.GetByteCount(isUnsigned: true);
        amount.TryWriteBytes(encoded.Slice(3 * HashSize - length, length), out _, isUnsigned: true, isBigEndian: true);
        Span<byte> inner = stackalloc byte[HashSize];
        digest.BlockUpdate(encoded);
        digest.DoFinal(inner);
        digest.BlockUpdate(inner);
        digest.DoFinal(destination);
    }

    /// <summary>keccak256 of the two nodes concatenated smaller first; <paramref name="destination"/> may alias either.</summary>
    private static void HashPair(KeccakDigest digest, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        var aFirst = a.SequenceCompareTo(b) <= 0;
        digest.BlockUpdate(aFirst ? a : b);
        digest.BlockUpdate(aFirst ? b : a);
        digest.DoFinal(destination);
    }

    /// <summary>Runs <paramref name="body"/> for [from, to), in parallel with one digest per worker when the range is large.</summary>
    private static void ForRange(int from, int to, Action<KeccakDigest, int> body)
    {
        if (to - from < ParallelThreshold)
        {
            var digest = new KeccakDigest(256);
            for (var i = from; i < to; i++)
            {
                body(digest, i);
            }

            return;
        }

        Parallel.For(from, to, () => new KeccakDigest(256), (i, _, digest) =>
        {
            body(digest, i);
            return digest;
        }, _ => { });
    }

    private string NodeHex(int index) => ToHex(_nodes.AsSpan(index * HashSize, HashSize));

    private static string ToHex(ReadOnlySpan<byte> hash) => "0x" + Convert.ToHexStringLower(hash);
}
