using FollowUp.Jobs.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Support;

/// <summary>
/// The set-up most engine tests share: per test, a fresh database (a copy of the migrated template), an
/// <see cref="EngineHost"/> running FollowUp's engine on it, and the test clients; both disposed after
/// the test. A fixture says what differs by overriding <see cref="Settings"/>,
/// <see cref="ConfigureServices"/> and <see cref="CreatesTestClients"/>.
/// </summary>
/// <remarks>
/// NUnit runs this <c>[SetUp]</c> before a derived fixture's own and this <c>[TearDown]</c> after its
/// own, so a fixture's set-up may use <see cref="Engine"/> and its tear-down may still read <see cref="Db"/>.
/// </remarks>
public abstract class EngineTest
{
    /// <summary>This test's database.</summary>
    protected TestDatabase Db { get; private set; } = null!;

    /// <summary>This test's engine.</summary>
    protected EngineHost Engine { get; private set; } = null!;

    /// <summary>The engine's <see cref="IMessageClient"/>.</summary>
    protected IMessageClient Messages => Engine.Services.GetRequiredService<IMessageClient>();

    /// <summary>Settings over <see cref="EngineHost.TestSettings"/> for every test of the fixture.</summary>
    protected virtual Dictionary<string, string?> Settings => [];

    /// <summary>Whether <see cref="TestClients"/> are created before each test (default true).</summary>
    protected virtual bool CreatesTestClients => true;

    /// <summary>
    /// Services registered before <c>AddFollowUpJobs</c>. Called once per test, while the host is built:
    /// make per-test fakes (a scripted provider) here, not in field initialisers, which NUnit runs once
    /// per fixture.
    /// </summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>
    /// Whether the engine starts in this set-up (default true). A fixture whose tests each need their own
    /// settings or fakes returns false; each test then calls <see cref="StartEngineAsync(Dictionary{string, string}, Action{IServiceCollection})"/>.
    /// </summary>
    protected virtual bool StartsEngineInSetUp => true;

    /// <summary>
    /// Creates the database and, unless the fixture starts it per test, the engine. Not named StartEngineAsync:
    /// a fixture's <c>StartEngineAsync()</c> with the defaults must start an engine, not make a second database.
    /// </summary>
    [SetUp]
    public async Task SetUpEngineAsync()
    {
        Db = await TestDatabase.CreateAsync();
        if (StartsEngineInSetUp)
        {
            await StartEngineAsync(Settings, null);
        }
    }

    /// <summary>
    /// Starts the engine on <see cref="Db"/> with <paramref name="settings"/> (over <see cref="EngineHost.TestSettings"/>)
    /// and, after <see cref="ConfigureServices"/>, <paramref name="services"/>; then the test clients, when
    /// <see cref="CreatesTestClients"/>.
    /// </summary>
    protected async Task StartEngineAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        Engine = await EngineHost.StartAsync(Db, settings, s =>
        {
            ConfigureServices(s);
            services?.Invoke(s);
        });
        if (CreatesTestClients)
        {
            await TestClients.CreateAsync(Engine.Services);
        }
    }

    /// <summary>Stops the engine and drops the database.</summary>
    [TearDown]
    public async Task TearDownEngineAsync()
    {
        // Null when the set-up itself failed: its exception is the one to see.
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        if (Db is not null)
        {
            await Db.DisposeAsync();
        }
    }
}
