namespace Aisto.Domain.Scaling;

/// <summary>The forecast demand (GPUs) for one step: the expected value and the band between two quantiles.</summary>
public readonly record struct ForecastPoint(DateTimeOffset At, double Expected, double Lower, double Upper);
