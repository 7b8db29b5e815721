using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aisto.Functions.Standalone;

/// <summary>Maps every HTTP-triggered function to Kestrel under the Functions route prefix <c>/api</c>.</summary>
public static class HttpFunctionEndpoints
{
    public const string RoutePrefix = "api";

    public static IEndpointRouteBuilder MapHttpFunctions(this IEndpointRouteBuilder endpoints, Assembly assembly)
    {
        foreach (var function in FunctionCatalog.Http(assembly))
        {
            if (!typeof(IResult).IsAssignableFrom(ResultType(function.Method)))
            {
                throw new InvalidOperationException($"HTTP function {function.Name} must return IResult or Task<IResult>.");
            }

            endpoints.MapMethods(
                    $"/{RoutePrefix}/{function.Route}",
                    function.Methods.Select(m => m.ToUpperInvariant()),
                    async context =>
                    {
                        try
                        {
                            var result = await FunctionInvoker.InvokeAsync(
                                context.RequestServices,
                                function.Method,
                                p => FunctionInvoker.BindHttp(context, p),
                                context.RequestAborted);
                            // Streaming results (server-sent events) write until they finish or the client leaves.
                            await ((IResult)result!).ExecuteAsync(context);
                        }
                        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
                        {
                            // The client disconnected: there is nobody to answer, and it is not a fault of ours.
                        }
                    })
                .WithName(function.Name);
        }

        return endpoints;
    }

    private static Type ResultType(MethodInfo method) =>
        method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            ? method.ReturnType.GetGenericArguments()[0]
            : method.ReturnType;
}
