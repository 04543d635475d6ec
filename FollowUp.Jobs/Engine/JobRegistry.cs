using System.Reflection;
using FollowUp.Jobs.Engine.Filters;

namespace FollowUp.Jobs.Engine;

/// <summary>A registered job class: its stored name, argument type, invoker and attribute filters.</summary>
internal sealed record JobDescriptor(
    string Name,
    Type JobClass,
    Type ArgsType,
    Func<object, object, JobContext, CancellationToken, Task> Invoke,
    IReadOnlyList<JobFilterAttribute> Filters);

/// <summary>Marker put in DI by <c>AddJob</c>; the registry is built from all of them.</summary>
internal sealed record JobRegistration(Type JobClass);

/// <summary>The job classes this node knows, by stored name and by class.</summary>
internal sealed class JobRegistry
{
    private readonly Dictionary<string, JobDescriptor> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, JobDescriptor> _byClass = [];

    public JobRegistry(IEnumerable<JobRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            if (_byClass.ContainsKey(registration.JobClass))
            {
                continue;
            }

            var descriptor = Describe(registration.JobClass);
            if (_byName.TryGetValue(descriptor.Name, out var existing))
            {
                throw new InvalidOperationException(
                    $"Job types {existing.JobClass} and {descriptor.JobClass} share the name '{descriptor.Name}'.");
            }

            _byName.Add(descriptor.Name, descriptor);
            _byClass.Add(descriptor.JobClass, descriptor);
        }
    }

    public IEnumerable<JobDescriptor> All => _byName.Values;

    public JobDescriptor? Find(string name) => _byName.GetValueOrDefault(name);

    public JobDescriptor Get(Type jobClass) => _byClass.TryGetValue(jobClass, out var d)
        ? d
        : throw new InvalidOperationException($"{jobClass} is not a registered job type; register it with AddJob<{jobClass.Name}>().");

    /// <summary>The stored name of a job class: its [JobType] name, else its full name.</summary>
    public static string NameOf(Type jobClass) =>
        jobClass.GetCustomAttribute<JobTypeAttribute>()?.Name ?? jobClass.FullName ?? jobClass.Name;

    public static Type ArgsTypeOf(Type jobClass)
    {
        var contracts = jobClass.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IJob<>))
            .ToList();
        return contracts.Count == 1
            ? contracts[0].GetGenericArguments()[0]
            : throw new InvalidOperationException($"{jobClass} must implement IJob<TArgs> exactly once.");
    }

    private static JobDescriptor Describe(Type jobClass)
    {
        var argsType = ArgsTypeOf(jobClass);
        var invoker = typeof(JobRegistry).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(argsType)
            .CreateDelegate<Func<object, object, JobContext, CancellationToken, Task>>();
        var filters = jobClass.GetCustomAttributes<JobFilterAttribute>(inherit: true).ToList();
        return new JobDescriptor(NameOf(jobClass), jobClass, argsType, invoker, filters);
    }

    private static Task InvokeTyped<TArgs>(object job, object args, JobContext context, CancellationToken cancellationToken) =>
        ((IJob<TArgs>)job).ExecuteAsync((TArgs)args, context, cancellationToken);
}
