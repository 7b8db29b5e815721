namespace Aisto.Domain.Scaling;

/// <summary>
/// Which model produced a forecast, ordered by how much history it needs: the forecaster picks the richest one
/// the history supports.
/// </summary>
public enum ForecastMethod
{
    /// <summary>No history at all: demand is forecast as zero.</summary>
    None,

    /// <summary>Too little history to fit anything: the last value, banded by what has been seen.</summary>
    LastValue,

    /// <summary>A constant level with the recent deviation decaying into it (no seasonality, no trend).</summary>
    Level,

    /// <summary>Level, trend and a daily cycle.</summary>
    Daily,

    /// <summary>Level, trend, a daily and a weekly cycle.</summary>
    DailyWeekly,

    /// <summary>Not estimated: the demand was given (replays with perfect foresight, tests).</summary>
    Known,
}
