// Reference implementation for the parity tests: builds @openzeppelin/merkle-tree StandardMerkleTrees.
// stdin:  { "sets": [ [ ["0xaccount", "amount"], ... ], ... ] }; each value becomes the leaf (index, account, amount)
// with index = its position, as the distributor's claim takes it.
// stdout: { "results": [ { "root": "0x..", "tree": ["0x..", ...], "proofs": [ ["0x..", ...], ... ] }, ... ] }
// (proofs[i] is the proof of sets[k][i], i.e. by value index.)
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { sets } = JSON.parse(input);
const results = sets.map(values => {
  const tree = StandardMerkleTree.of(values.map(([account, amount], i) => [i, account, amount]), ['uint256', 'address', 'uint256']);
  return {
    root: tree.root,
    tree: tree.dump().tree,
    proofs: values.map((_, i) => tree.getProof(i)),
  };
});
process.stdout.write(JSON.stringify({ results }));
