// For DashboardMerkleTests: the dashboard's merkle.mjs/keccak.mjs (the very files the browser loads) next to
// @openzeppelin/merkle-tree. stdin { sets: [[[account, amount], ...], ...] } → { results: [{ dashboard, openZeppelin }] };
// with --vectors: Keccak-256 test vectors.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { keccak256 as reference } from 'ethereum-cryptography/keccak.js';
import { merkleRoot } from '../../../functions/Dashboard/wwwroot/merkle.mjs';
import { keccak256, toHex } from '../../../functions/Dashboard/wwwroot/keccak.mjs';

let input = '';
for await (const chunk of process.stdin) input += chunk;

if (process.argv.includes('--vectors')) {
  const twoBlocks = new Uint8Array(200).map((_, i) => i * 7);
  process.stdout.write(JSON.stringify({
    empty: toHex(keccak256(new Uint8Array())),
    abc: toHex(keccak256(new TextEncoder().encode('abc'))),
    twoBlocks: toHex(keccak256(twoBlocks)),
    twoBlocksReference: toHex(reference(twoBlocks)),
  }));
} else {
  const { sets } = JSON.parse(input);
  const results = sets.map(values => ({
    dashboard: merkleRoot(values.map(([account, amount]) => ({ account, amount }))),
    openZeppelin: StandardMerkleTree.of(values.map(([account, amount], i) => [i, account, amount]), ['uint256', 'address', 'uint256']).root,
  }));
  process.stdout.write(JSON.stringify({ results }));
}
