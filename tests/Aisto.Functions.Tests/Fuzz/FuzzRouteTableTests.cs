using Aisto.Functions.Documentation;

namespace Aisto.Functions.Tests.Fuzz;

/// <summary>The fuzz campaign cannot miss a route: its table is the app's, and every documented body has an example.</summary>
public sealed class FuzzRouteTableTests
{
    [Fact]
    public void Every_documented_route_is_in_the_fuzz_table()
    {
        var fuzzed = FuzzRoutes.All("tenant", "operator", "lease").Select(r => r.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(ApiRoutes.All.Keys.Order(StringComparer.Ordinal), fuzzed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_route_with_a_documented_body_has_a_valid_example_body_and_no_other_route_has_one()
    {
        var withBody = ApiRoutes.All.Where(r => r.Value.Body is not null).Select(r => r.Key).Order(StringComparer.Ordinal);

        Assert.Equal(withBody, FuzzRoutes.ValidBodies.Keys.Order(StringComparer.Ordinal));
    }
}
