// The dev chain only: `hardhat node` serves chain 31337 with Hardhat's public dev accounts. Contracts are not
// compiled by Hardhat but by contracts/compile.mjs (solc standard JSON), so no solidity section is needed.
// The hardfork is pinned (Hardhat 2.29.1's default) so measured gas does not drift with Hardhat upgrades.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'osaka',
      mining: { auto: true, interval: 0 },
    },
  },
};
