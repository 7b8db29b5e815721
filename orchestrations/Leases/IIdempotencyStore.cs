namespace Aisto.Orchestrations.Leases;

/// <summary>Remembers which resource an Idempotency-Key created, per tenant.</summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Records key → (fingerprint, resource id) unless the key is already known; returns what is stored.
    /// </summary>
    Task<IdempotencyRecord> GetOrAddAsync(string tenantId, string key, IdempotencyRecord candidate, CancellationToken cancellationToken = default);
}

/// <summary>What an idempotency key is bound to: the request's fingerprint and the resource it made.</summary>
public sealed record IdempotencyRecord(string Fingerprint, string ResourceId);
