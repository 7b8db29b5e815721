// Reference implementation for the parity tests: builds @openzeppelin/merkle-tree StandardMerkleTrees.
// stdin:  { "sets": [ [ ["0xaccount", "amount"], ... ], ... ] }
// stdout: { "results": [ { "root": "0x..", "tree": ["0x..", ...], "proofs": [ ["0x..", ...], ... ] }, ... ] }
// (proofs[i] is the proof of sets[k][i], i.e. by value index.)
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { sets } = JSON.parse(input);
const results = sets.map(values => {
  const tree = StandardMerkleTree.of(values, ['address', 'uint256']);
  return {
    root: tree.root,
    tree: tree.dump().tree,
    proofs: values.map((_, i) => tree.getProof(i)),
  };
});
process.stdout.write(JSON.stringify({ results }));
