// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Dividend payout token for local runs (a USDC stand-in: 6 decimals, minted freely by its owner).
/// @dev Never deployed to a public chain: production pays out in a real stablecoin configured by address.
contract DevStablecoin is ERC20, Ownable {
    constructor(address owner) ERC20("AISTO Dev USD", "dUSD") Ownable(owner) {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
