using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// How a message travels: <see cref="Sms"/> or <see cref="Email"/>. Its <see cref="Name"/> is the word
/// stored in <c>messages.channel</c> and written on the wire (<c>"sms"</c>, <c>"email"</c>); the two
/// instances are the only ones, so reference equality is value equality. JSON writes it as its name
/// (<see cref="ChannelJsonConverter"/>), whatever the serializer options.
/// </summary>
[JsonConverter(typeof(ChannelJsonConverter))]
public sealed class Channel
{
    public static readonly Channel Sms = new("sms", "SMS");

    public static readonly Channel Email = new("email", "Email");

    private Channel(string name, string label) => (Name, Label) = (name, label);

    /// <summary>The stored and wire name: <c>sms</c> or <c>email</c>.</summary>
    public string Name { get; }

    /// <summary>How a person reads it: "SMS", "Email".</summary>
    public string Label { get; }

    /// <summary>The channel named <paramref name="name"/> exactly (lower case), or false.</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out Channel? channel)
    {
        channel = name switch
        {
            "sms" => Sms,
            "email" => Email,
            _ => null,
        };
        return channel is not null;
    }

    /// <summary>The channel stored as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No channel has that name.</exception>
    public static Channel Parse(string name) =>
        TryParse(name, out var channel) ? channel : throw new ArgumentException($"'{name}' is not a channel (sms or email).", nameof(name));

    public override string ToString() => Name;
}
