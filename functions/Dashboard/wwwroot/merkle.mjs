// The payout root exactly as OpenZeppelin's StandardMerkleTree.of(values, ["uint256", "address", "uint256"]) builds it
// (and as the domain's MerkleTree does): leaf = keccak256(keccak256(abi.encode(index, account, amount))) where index is
// the allocation's place in the report (the distributor keeps claimed flags as a bitmap of indexes), leaves sorted by hash,
// a flat tree of 2n-1 nodes with leaf k (sorted) at 2n-2-k, inner node = keccak256 of its children, smaller first.
import { keccak256, toHex, fromHex } from './keccak.mjs';

const MAX_UINT256 = (1n << 256n) - 1n;

function compare(a, b) {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The double-hashed leaf of one allocation (index: its place, account: 0x + 40 hex, amount: decimal string of base units). */
export function leafHash(index, account, amount) {
  const address = fromHex(account);
  if (address.length !== 20) throw new Error(`not an address: ${account}`);
  if (!/^[0-9]+$/.test(String(amount))) throw new Error(`not a base-unit amount: ${amount}`);
  const value = BigInt(amount);
  if (value > MAX_UINT256) throw new Error(`amount above uint256: ${amount}`);
  if (!Number.isInteger(index) || index < 0) throw new Error(`not an allocation index: ${index}`);
  const encoded = new Uint8Array(96);
  let x = BigInt(index);
  for (let i = 31; i >= 0; i--) { encoded[i] = Number(x & 0xffn); x >>= 8n; }
  encoded.set(address, 44);
  let v = value;
  for (let i = 95; i >= 64; i--) { encoded[i] = Number(v & 0xffn); v >>= 8n; }
  return keccak256(keccak256(encoded));
}

function hashPair(a, b) {
  const both = new Uint8Array(64);
  const [first, second] = compare(a, b) <= 0 ? [a, b] : [b, a];
  both.set(first, 0);
  both.set(second, 32);
  return keccak256(both);
}

/** The root (0x hex) of allocations [{ index?, account, amount }] (index defaults to the allocation's place). */
export function merkleRoot(allocations) {
  if (!allocations.length) throw new Error('no allocations');
  const leaves = allocations.map((a, i) => leafHash(a.index ?? i, a.account, a.amount)).sort(compare);
  const n = leaves.length;
  const tree = new Array(2 * n - 1);
  leaves.forEach((leaf, k) => { tree[2 * n - 2 - k] = leaf; });
  for (let i = n - 2; i >= 0; i--) tree[i] = hashPair(tree[2 * i + 1], tree[2 * i + 2]);
  return toHex(tree[0]);
}

/** Recomputes an epoch report's root; also checks the allocations sum to the dividend pool less what rolled over. */
export function verifyReport(report) {
  const computed = merkleRoot(report.allocations ?? []);
  const published = String(report.merkleRoot ?? '').toLowerCase();
  const total = (report.allocations ?? []).reduce((sum, a) => sum + BigInt(a.amount), 0n);
  return { computed, published, matches: computed === published, allocations: report.allocations.length, total: total.toString() };
}
