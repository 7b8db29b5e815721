// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title Pays each epoch's dividends against one Merkle root (OpenZeppelin StandardMerkleTree of
///        (uint256 index, address account, uint256 amount)).
/// @notice The operator publishes and funds an epoch in a single transaction; anyone may then claim for an
///         account with a proof. Unclaimed funds return to a recipient of the operator's choice once the epoch's
///         claim window has closed.
contract DividendDistributor is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @dev Two storage slots per epoch: the root, and the funds still unclaimed packed with the claim deadline.
    struct Epoch {
        bytes32 root;
        uint128 unclaimed;
        uint64 claimDeadline;
    }

    IERC20 public immutable payoutToken;

    /// @notice Seconds an epoch stays claimable after it is published, fixed at deployment (immutable: reading it
    ///         costs no storage access in `publish`). A different window means a new distributor for later epochs.
    uint64 public immutable claimWindow;

    mapping(uint256 epoch => Epoch) private _epochs;
    /// @dev Claimed flags per epoch as a bitmap of leaf indexes, 256 a word (Uniswap MerkleDistributor's scheme): the
    ///      first claim in a word creates it (~20k gas), the other 255 only flip a bit in it (~5k). The index is part
    ///      of the leaf, so a proof is valid for exactly one index and no account can claim under two.
    mapping(uint256 epoch => mapping(uint256 word => uint256 bits)) private _claimed;

    event EpochPublished(uint256 indexed epoch, bytes32 root, uint256 amount, uint64 claimDeadline);
    event Claimed(uint256 indexed epoch, uint256 index, address indexed account, uint256 amount);
    event Swept(uint256 indexed epoch, address indexed to, uint256 amount);

    error EpochAlreadyPublished(uint256 epoch);
    error EpochNotPublished(uint256 epoch);
    error ZeroRoot();
    error AmountTooLarge(uint256 amount);
    error AlreadyClaimed(uint256 epoch, uint256 index);
    error InvalidProof(uint256 epoch, uint256 index, address account, uint256 amount);
    error ClaimWindowClosed(uint256 epoch, uint64 claimDeadline);
    error ClaimWindowOpen(uint256 epoch, uint64 claimDeadline);
    error NothingToSweep(uint256 epoch);
    error InsufficientEpochFunds(uint256 epoch, uint256 unclaimed, uint256 amount);

    constructor(IERC20 payoutToken_, address admin, uint64 claimWindow_) {
        payoutToken = payoutToken_;
        claimWindow = claimWindow_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(OPERATOR_ROLE, admin);
    }

    /// @notice Publishes the epoch's root and pulls its `amount` of payout token from the caller (approve first).
    function publish(uint256 epoch, bytes32 root, uint256 amount) external onlyRole(OPERATOR_ROLE) {
        if (root == bytes32(0)) revert ZeroRoot();
        if (amount > type(uint128).max) revert AmountTooLarge(amount);
        Epoch storage e = _epochs[epoch];
        if (e.root != bytes32(0)) revert EpochAlreadyPublished(epoch);
        uint64 deadline = uint64(block.timestamp) + claimWindow;
        _epochs[epoch] = Epoch(root, uint128(amount), deadline);
        if (amount != 0) payoutToken.safeTransferFrom(msg.sender, address(this), amount);
        emit EpochPublished(epoch, root, amount, deadline);
    }

    /// @notice Pays `amount` to `account` for leaf `index` of `epoch`; callable by anyone, the funds always go to `account`.
    function claim(uint256 epoch, uint256 index, address account, uint256 amount, bytes32[] calldata proof) external {
        Epoch storage e = _epochs[epoch];
        bytes32 root = e.root;
        if (root == bytes32(0)) revert EpochNotPublished(epoch);
        if (block.timestamp > e.claimDeadline) revert ClaimWindowClosed(epoch, e.claimDeadline);
        mapping(uint256 => uint256) storage claimed = _claimed[epoch];
        uint256 word = index >> 8;
        uint256 bits = claimed[word];
        uint256 bit = 1 << (index & 0xff);
        if (bits & bit != 0) revert AlreadyClaimed(epoch, index);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof(epoch, index, account, amount);
        uint128 unclaimed = e.unclaimed;
        // Only reachable if a published tree promised more than was funded; fail loudly rather than pay from other epochs.
        if (amount > unclaimed) revert InsufficientEpochFunds(epoch, unclaimed, amount);
        claimed[word] = bits | bit;
        unchecked {
            e.unclaimed = unclaimed - uint128(amount);
        }
        payoutToken.safeTransfer(account, amount);
        emit Claimed(epoch, index, account, amount);
    }

    /// @notice Returns an expired epoch's unclaimed funds to `to`.
    function sweep(uint256 epoch, address to) external onlyRole(OPERATOR_ROLE) {
        Epoch storage e = _epochs[epoch];
        if (e.root == bytes32(0)) revert EpochNotPublished(epoch);
        if (block.timestamp <= e.claimDeadline) revert ClaimWindowOpen(epoch, e.claimDeadline);
        uint256 amount = e.unclaimed;
        if (amount == 0) revert NothingToSweep(epoch);
        e.unclaimed = 0;
        payoutToken.safeTransfer(to, amount);
        emit Swept(epoch, to, amount);
    }

    function epochs(uint256 epoch) external view returns (bytes32 root, uint256 unclaimed, uint64 claimDeadline) {
        Epoch storage e = _epochs[epoch];
        return (e.root, e.unclaimed, e.claimDeadline);
    }

    function isClaimed(uint256 epoch, uint256 index) external view returns (bool) {
        return _claimed[epoch][index >> 8] & (1 << (index & 0xff)) != 0;
    }
}
