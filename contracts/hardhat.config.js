// The dev chain only: `hardhat node` serves chain 31337 with Hardhat's public dev accounts. Contracts are not
// compiled by Hardhat but by contracts/compile.mjs (solc standard JSON), so no solidity section is needed.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      mining: { auto: true, interval: 0 },
    },
  },
};
