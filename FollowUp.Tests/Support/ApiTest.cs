using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Support;

/// <summary>
/// The set-up the HTTP API tests share: per test, a fresh database (a copy of the migrated template), an
/// <see cref="ApiHost"/> serving FollowUp's app on it, and the test clients; both disposed after the test.
/// A fixture says what differs by overriding <see cref="Settings"/>, <see cref="ConfigureServices"/> and
/// <see cref="CreatesTestClients"/>.
/// </summary>
/// <remarks>
/// NUnit runs this <c>[SetUp]</c> before a derived fixture's own and this <c>[TearDown]</c> after its
/// own, so a fixture's set-up may use <see cref="Api"/> and its tear-down may still read <see cref="Db"/>.
/// </remarks>
public abstract class ApiTest
{
    /// <summary>This test's database.</summary>
    protected TestDatabase Db { get; private set; } = null!;

    /// <summary>This test's app, with its authenticated <see cref="ApiHost.Client"/>.</summary>
    protected ApiHost Api { get; private set; } = null!;

    /// <summary>Settings over the API's test settings for every test of the fixture.</summary>
    protected virtual Dictionary<string, string?> Settings => [];

    /// <summary>Whether <see cref="TestClients"/> are created before each test (default true).</summary>
    protected virtual bool CreatesTestClients => true;

    /// <summary>
    /// Services for the app (<see cref="ApiHost.Start"/>'s <c>services</c>). Called once per test, while the app is built: make per-test
    /// fakes (a scripted provider) here, not in field initialisers, which NUnit runs once per fixture.
    /// </summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>
    /// Whether the app starts in this set-up (default true). A fixture whose tests each need their own
    /// settings, or whose settings name a fake started in its own set-up (a fake provider's URL), returns
    /// false and calls <see cref="StartApiAsync"/> itself.
    /// </summary>
    protected virtual bool StartsApiInSetUp => true;

    /// <summary>Creates the database and, unless the fixture starts it itself, the app.</summary>
    [SetUp]
    public async Task SetUpApiAsync()
    {
        Db = await TestDatabase.CreateAsync();
        if (StartsApiInSetUp)
        {
            await StartApiAsync(Settings);
        }
    }

    /// <summary>
    /// Starts the app on <see cref="Db"/> with <paramref name="settings"/> and, after <see cref="ConfigureServices"/>,
    /// <paramref name="services"/>; then the test clients, when <see cref="CreatesTestClients"/>.
    /// </summary>
    protected async Task StartApiAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        Api = ApiHost.Start(Db, settings, s =>
        {
            ConfigureServices(s);
            services?.Invoke(s);
        });
        if (CreatesTestClients)
        {
            await TestClients.CreateAsync(Api.Services);
        }
    }

    /// <summary>Stops the app and drops the database.</summary>
    [TearDown]
    public async Task TearDownApiAsync()
    {
        // Null when the set-up itself failed: its exception is the one to see.
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        if (Db is not null)
        {
            await Db.DisposeAsync();
        }
    }
}
