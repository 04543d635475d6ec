using System.Text.Json;
using Dapper;
using Npgsql;
using NodaTime;
using FollowUp.Jobs.Storage;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Clients;

/// <summary>Reads and writes <c>clients</c>; secrets are stored encrypted (<see cref="SecretProtector"/>).</summary>
public sealed class ClientStore(NpgsqlDataSource dataSource, IClock clock, SecretProtector secrets)
{
    // follow_ups is stored in the API's own spelling, so the column reads like the documents.
    private const string FindSql = """
            select name, time_zone, business_hours::text as business_hours,
                   array(select to_char(d, 'YYYY-MM-DD') from unnest(closed_dates) d order by d) as closed_dates,
                   email_enabled, missed_call_text_back, daily_limit_per_recipient, sms_from, email_from,
                   recipient_hours::text as recipient_hours, follow_ups::text as follow_ups, webhook_secret,
                   reply_keywords::text as reply_keywords, booking_url, notify_url, notify_events, help_text,
                   sms_countries, text_back_hourly_limit, sms_providers, sms_route_url, ai_copy::text as ai_copy
            from clients where id = @id
            """;

    private static readonly JsonSerializerOptions FollowUpJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private const string UpsertSql = """
        insert into clients (id, name, time_zone, business_hours, closed_dates, webhook_secret, email_enabled,
                             missed_call_text_back, daily_limit_per_recipient, sms_from, email_from, recipient_hours, follow_ups,
                             reply_keywords, booking_url, notify_url, notify_secret, notify_events, help_text, sms_countries,
                             text_back_hourly_limit, sms_providers, sms_route_url, sms_route_secret, ai_copy, created_at, updated_at)
        values (@id, @name, @timeZone, @businessHours::jsonb, @closedDates::date[],
                -- NOT NULL is checked before ON CONFLICT, so a replace without a secret carries the stored one.
                coalesce(@webhookSecret, (select c.webhook_secret from clients c where c.id = @id)), @emailEnabled,
                @missedCallTextBack, @dailyLimit, @smsFrom, @emailFrom, @recipientHours::jsonb, @followUps::jsonb,
                @replyKeywords::jsonb, @bookingUrl, @notifyUrl,
                -- Likewise the notification secret, while a URL is set (the check constraint refuses a URL without one).
                case when @notifyUrl::text is not null
                     then coalesce(@notifySecret, (select c.notify_secret from clients c where c.id = @id)) end,
                @notifyEvents, @helpText, @smsCountries, @textBackHourlyLimit, @smsProviders, @smsRouteUrl,
                -- And the route's secret, while a route URL is set.
                case when @smsRouteUrl::text is not null
                     then coalesce(@smsRouteSecret, (select c.sms_route_secret from clients c where c.id = @id)) end,
                @aiCopy::jsonb, @now, @now)
        on conflict (id) do update set
            name = excluded.name, time_zone = excluded.time_zone, business_hours = excluded.business_hours,
            closed_dates = excluded.closed_dates,
            webhook_secret = excluded.webhook_secret,
            email_enabled = excluded.email_enabled, missed_call_text_back = excluded.missed_call_text_back,
            daily_limit_per_recipient = excluded.daily_limit_per_recipient, sms_from = excluded.sms_from,
            email_from = excluded.email_from, recipient_hours = excluded.recipient_hours, follow_ups = excluded.follow_ups,
            reply_keywords = excluded.reply_keywords, booking_url = excluded.booking_url, notify_url = excluded.notify_url,
            notify_secret = excluded.notify_secret, notify_events = excluded.notify_events, help_text = excluded.help_text,
            sms_countries = excluded.sms_countries, text_back_hourly_limit = excluded.text_back_hourly_limit,
            sms_providers = excluded.sms_providers, sms_route_url = excluded.sms_route_url,
            sms_route_secret = excluded.sms_route_secret, ai_copy = excluded.ai_copy, updated_at = excluded.updated_at
        returning (xmax = 0) as created
        """;

    /// <summary>Creates or replaces a client; true when it was created. A null secret keeps the stored one.</summary>
    public async Task<bool> UpsertAsync(string id, ClientSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(UpsertSql, new
        {
            id,
            name = settings.Name,
            timeZone = settings.TimeZone,
            businessHours = JsonSerializer.Serialize(settings.BusinessHours),
            closedDates = settings.ClosedDates.ToArray(),
            webhookSecret = settings.WebhookSecret is { } webhookSecret ? secrets.Protect(webhookSecret) : null,
            emailEnabled = settings.EmailEnabled,
            missedCallTextBack = settings.MissedCallTextBack,
            dailyLimit = settings.DailyLimitPerRecipient,
            smsFrom = settings.SmsFrom,
            emailFrom = settings.EmailFrom,
            recipientHours = JsonSerializer.Serialize(settings.RecipientHours),
            followUps = JsonSerializer.Serialize(settings.FollowUps, FollowUpJson),
            replyKeywords = settings.ReplyKeywords is null ? null : JsonSerializer.Serialize(settings.ReplyKeywords, FollowUpJson),
            bookingUrl = settings.BookingUrl,
            notifyUrl = settings.Notifications?.Url,
            notifySecret = settings.Notifications?.Secret is { } notifySecret ? secrets.Protect(notifySecret) : null,
            notifyEvents = settings.Notifications?.Events?.ToArray(),
            helpText = settings.HelpText,
            smsCountries = settings.SmsCountries?.ToArray(),
            textBackHourlyLimit = settings.TextBackHourlyLimit,
            smsProviders = settings.SmsProviders?.ToArray(),
            smsRouteUrl = settings.SmsRoute?.Url,
            smsRouteSecret = settings.SmsRoute?.Secret is { } routeSecret ? secrets.Protect(routeSecret) : null,
            aiCopy = settings.AiCopy is null ? null : JsonSerializer.Serialize(settings.AiCopy, FollowUpJson),
            now = clock.GetCurrentInstant(),
        }, cancellationToken: cancellationToken));
    }

    /// <summary>Whether the client has a notification secret stored (a replace may then omit it).</summary>
    public async Task<bool> HasNotificationSecretAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from clients where id = @id and notify_secret is not null)", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Whether the client has an SMS route secret stored (a replace may then omit it).</summary>
    public async Task<bool> HasSmsRouteSecretAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from clients where id = @id and sms_route_secret is not null)", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The client's SMS route secret, decrypted (to verify its delivery reports), or null when it has no route.</summary>
    public async Task<string?> FindSmsRouteSecretAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stored = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select sms_route_secret from clients where id = @id", new { id }, cancellationToken: cancellationToken));
        return stored is null ? null : secrets.Reveal(stored);
    }

    public async Task<bool> ExistsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from clients where id = @id)", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The client without its secret, or null.</summary>
    public async Task<ClientSettings?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, null, id, cancellationToken);
    }

    /// <summary>
    /// The client, read inside <paramref name="transaction"/>: a caller holding a transaction must not
    /// take a second pooled connection, or a full pool starves every such caller at once.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "One store, one way to call it: an instance method like its siblings.")]
    public Task<ClientSettings?> FindAsync(string id, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return FindAsync(transaction.Connection!, transaction, id, cancellationToken);
    }

    /// <summary>
    /// The client and, separately, its webhook secret, in one round trip: what a webhook needs to verify
    /// a signature and then plan. The settings never carry the secret. Never log it.
    /// </summary>
    public async Task<(ClientSettings Settings, string WebhookSecret)?> FindWithSecretAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ClientRow>(new CommandDefinition(FindSql, new { id },
            cancellationToken: cancellationToken));
        return row is null ? null : (ToSettings(row), secrets.Reveal(row.WebhookSecret));
    }

    private static async Task<ClientSettings?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string id,
        CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ClientRow>(new CommandDefinition(FindSql, new { id }, transaction,
            cancellationToken: cancellationToken));
        return row is null ? null : ToSettings(row);
    }

    private static ClientSettings ToSettings(ClientRow row)
    {
        var settings = new ClientSettings
        {
            Name = row.Name,
            TimeZone = row.TimeZone,
            BusinessHours = InWeekdayOrder(JsonSerializer.Deserialize<Dictionary<string, IReadOnlyList<string>>>(row.BusinessHours)!),
            ClosedDates = row.ClosedDates,
            EmailEnabled = row.EmailEnabled,
            MissedCallTextBack = row.MissedCallTextBack,
            DailyLimitPerRecipient = row.DailyLimitPerRecipient,
            SmsFrom = row.SmsFrom,
            EmailFrom = row.EmailFrom,
            RecipientHours = JsonSerializer.Deserialize<string[]>(row.RecipientHours)!,
            FollowUps = InKindOrder(JsonSerializer.Deserialize<Dictionary<string, FollowUpSettings>>(row.FollowUps, FollowUpJson)!),
            ReplyKeywords = row.ReplyKeywords is null ? ReplyKeywords.Default : JsonSerializer.Deserialize<ReplyKeywords>(row.ReplyKeywords, FollowUpJson),
            BookingUrl = row.BookingUrl,
            Notifications = row.NotifyUrl is null ? null : new NotificationSettings { Url = row.NotifyUrl, Events = row.NotifyEvents },
            HelpText = row.HelpText,
            SmsCountries = row.SmsCountries,
            TextBackHourlyLimit = row.TextBackHourlyLimit,
            SmsProviders = row.SmsProviders,
            SmsRoute = row.SmsRouteUrl is null ? null : new SmsRouteSettings { Url = row.SmsRouteUrl },
            AiCopy = row.AiCopy is null ? null : JsonSerializer.Deserialize<AiCopySettings>(row.AiCopy, FollowUpJson),
        };
        // Parsed once per read (the stored strings were validated on write): a plan and each send attempt use this.
        return settings with { ParsedHours = ClientHours.From(settings) };
    }

    private static Dictionary<string, FollowUpSettings> InKindOrder(Dictionary<string, FollowUpSettings> followUps) =>
        followUps.OrderBy(f => Array.IndexOf(Templates.DefaultTemplates.Kinds, f.Key)).ToDictionary(f => f.Key, f => f.Value);

    // jsonb keeps object keys in its own order; people read mon…sun.
    private static Dictionary<string, IReadOnlyList<string>> InWeekdayOrder(Dictionary<string, IReadOnlyList<string>> hours) =>
        hours.OrderBy(h => Array.IndexOf(ClientSettingsValidator.WeekdayKeys, h.Key)).ToDictionary(h => h.Key, h => h.Value);

    // A class with setters, not a positional record: Dapper reports text[] columns as System.Array,
    // which does not match a string[] constructor parameter.
    private sealed class ClientRow
    {
        public string Name { get; set; } = "";

        public string TimeZone { get; set; } = "";

        public string BusinessHours { get; set; } = "{}";

        public string[] ClosedDates { get; set; } = [];

        public bool EmailEnabled { get; set; }

        public bool MissedCallTextBack { get; set; }

        public int DailyLimitPerRecipient { get; set; }

        public string? SmsFrom { get; set; }

        public string? EmailFrom { get; set; }

        public string RecipientHours { get; set; } = "[]";

        public string FollowUps { get; set; } = "{}";

        public string WebhookSecret { get; set; } = "";

        public string? ReplyKeywords { get; set; }

        public string? BookingUrl { get; set; }

        public string? NotifyUrl { get; set; }

        public string[]? NotifyEvents { get; set; }

        public string? HelpText { get; set; }

        public string[]? SmsCountries { get; set; }

        public int TextBackHourlyLimit { get; set; }

        public string[]? SmsProviders { get; set; }

        public string? SmsRouteUrl { get; set; }

        public string? AiCopy { get; set; }
    }
}
