using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Clients;

/// <summary>Each kind's SMS as a sample customer would get it from this client, with its segment count.</summary>
public static class TemplatePreviews
{
    public static IReadOnlyDictionary<string, TemplatePreview> For(ClientSettings client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var values = TemplateValues.Sample(client.Name) with { BookingUrl = client.BookingUrl };
        var previews = new Dictionary<string, TemplatePreview>();
        foreach (var kind in DefaultTemplates.Kinds)
        {
            var settings = client.FollowUps.GetValueOrDefault(kind) ?? new FollowUpSettings();
            var sms = MessageTemplate.RenderSms(settings.Sms ?? DefaultTemplates.Sms(kind, client.BookingUrl is not null), kind, values);
            previews[kind] = new TemplatePreview(sms, SmsSegments.Count(sms),
                SmsSegments.Encoding(sms) == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2");
        }

        return previews;
    }
}
