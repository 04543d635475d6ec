using System.Net.Security;
using System.Text;

namespace FollowUp.Tests.Support;

/// <summary>One SMTP session of <see cref="SmtpTestServer"/>.</summary>
public sealed partial class SmtpTestServer
{
    private sealed class Session : IDisposable
    {
        private readonly SmtpTestServer _server;
        private readonly int _id;
        private readonly List<string> _recipients = [];
        private Stream _stream;
        private StreamReader _reader;
        private string _tls;
        private string? _mailFrom;
        private string? _authUser;

        public Session(SmtpTestServer server, int id, Stream stream, string tls)
        {
            _server = server;
            _id = id;
            _tls = tls;
            _stream = stream;
            _reader = new StreamReader(stream, Encoding.UTF8);
            Writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
        }

        public StreamWriter Writer { get; private set; }

        public void Dispose() => _reader.Dispose();

        private async Task StartTlsAsync()
        {
            await Writer.WriteLineAsync("220 2.0.0 Ready to start TLS");
            var tls = new SslStream(_stream);
            await tls.AuthenticateAsServerAsync(TestCertificate.Instance, false, false);
            // RFC 3207: everything known before TLS is forgotten; the client says EHLO again.
            _stream = tls;
            _reader = new StreamReader(tls, Encoding.UTF8);
            Writer = new StreamWriter(tls, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            _tls = "starttls";
            _mailFrom = null;
            _authUser = null;
            _recipients.Clear();
        }

        public async Task RunAsync(CancellationToken token)
        {
            while (await _reader.ReadLineAsync(token) is { } line)
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
                var argument = space < 0 ? "" : line[(space + 1)..];
                if (verb is "MAIL" or "RCPT" or "DATA" && _server._verbReplies.TryGetValue(verb, out var scripted))
                {
                    await Writer.WriteLineAsync(scripted);
                    if (scripted.StartsWith("421", StringComparison.Ordinal))
                    {
                        return; // 421 closes the channel, as RFC 5321 says it does.
                    }

                    continue;
                }

                switch (verb)
                {
                    case "EHLO":
                        await Writer.WriteLineAsync("250-localhost");
                        if (_tls == "none")
                        {
                            await Writer.WriteLineAsync("250-STARTTLS");
                        }

                        await Writer.WriteLineAsync("250-AUTH LOGIN PLAIN");
                        await Writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "STARTTLS":
                        await StartTlsAsync();
                        break;
                    case "HELO":
                        await Writer.WriteLineAsync("250 localhost");
                        break;
                    case "AUTH":
                        await AuthAsync(argument, token);
                        break;
                    case "MAIL" when _server.RequireTls && _tls == "none":
                        await Writer.WriteLineAsync("530 5.7.0 Must issue a STARTTLS command first");
                        break;
                    case "MAIL":
                        _mailFrom = Address(argument);
                        _recipients.Clear();
                        await Writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        var to = Address(argument);
                        if (_server._recipientReplies.TryGetValue(to, out var refusal))
                        {
                            await Writer.WriteLineAsync(refusal);
                        }
                        else
                        {
                            _recipients.Add(to);
                            await Writer.WriteLineAsync("250 2.1.5 OK");
                        }

                        break;
                    case "DATA":
                        await DataAsync(token);
                        break;
                    case "RSET":
                        _mailFrom = null;
                        _recipients.Clear();
                        await Writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "NOOP":
                        await Writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await Writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await Writer.WriteLineAsync("500 5.5.1 Unknown command");
                        break;
                }
            }
        }

        private async Task AuthAsync(string argument, CancellationToken token)
        {
            var parts = argument.Split(' ', 2);
            if (parts[0].Equals("LOGIN", StringComparison.OrdinalIgnoreCase))
            {
                string? user;
                if (parts.Length > 1)
                {
                    user = parts[1];
                }
                else
                {
                    await Writer.WriteLineAsync("334 VXNlcm5hbWU6");
                    user = await _reader.ReadLineAsync(token);
                }

                await Writer.WriteLineAsync("334 UGFzc3dvcmQ6");
                await _reader.ReadLineAsync(token);
                _authUser = Decode(user);
            }
            else if (parts[0].Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
            {
                var initial = parts.Length > 1 ? parts[1] : null;
                if (initial is null)
                {
                    await Writer.WriteLineAsync("334 ");
                    initial = await _reader.ReadLineAsync(token);
                }

                // authzid NUL authcid NUL password
                _authUser = Decode(initial)?.Split('\0').ElementAtOrDefault(1);
            }
            else
            {
                await Writer.WriteLineAsync("504 5.5.4 Unrecognized authentication type");
                return;
            }

            await Writer.WriteLineAsync("235 2.7.0 Authentication successful");
        }

        private async Task DataAsync(CancellationToken token)
        {
            if (_mailFrom is null || _recipients.Count == 0)
            {
                await Writer.WriteLineAsync("503 5.5.1 Bad sequence of commands");
                return;
            }

            await Writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
            var data = new StringBuilder();
            while (await _reader.ReadLineAsync(token) is { } line && line != ".")
            {
                // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
                data.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
            }

            if (_server.HangUpAfterData)
            {
                _stream.Close();
                return;
            }

            if (_server._verbReplies.TryGetValue(".", out var scripted))
            {
                await Writer.WriteLineAsync(scripted);
                return;
            }

            _server._received.Enqueue(new ReceivedMail(_mailFrom, [.. _recipients], data.ToString(), _authUser, _tls, _id));
            _mailFrom = null;
            _recipients.Clear();
            await Writer.WriteLineAsync("250 2.0.0 Queued");
        }

        private static string Address(string argument)
        {
            var start = argument.IndexOf('<', StringComparison.Ordinal);
            var end = argument.IndexOf('>', StringComparison.Ordinal);
            return start >= 0 && end > start ? argument[(start + 1)..end] : argument;
        }

        private static string? Decode(string? base64) =>
            base64 is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim()));
    }
}
