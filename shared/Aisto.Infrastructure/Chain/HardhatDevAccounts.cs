namespace Aisto.Infrastructure.Chain;

/// <summary>
/// Hardhat's default dev accounts (mnemonic "test test … junk"). Their keys are published by Hardhat and hold
/// value on no real chain; never use them outside the dev chain.
/// </summary>
public static class HardhatDevAccounts
{
    public const string Account0Key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public const string Account1Key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    public const string Account2Key = "0x5de4111afa1a4b94908f83103eb1d1706367c2e68ca870fc3fb9ad8b3757a365";
}
