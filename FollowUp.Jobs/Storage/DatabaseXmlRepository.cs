using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// Data Protection's key ring in <c>data_protection_keys</c>, so every node on the database holds the
/// same keys: a secret encrypted by one node is decrypted by another, and a dashboard cookie issued by
/// one is accepted by all. Data Protection calls this synchronously (it has no async repository API)
/// and rarely: at the first use, then when its cached ring is due for refresh (about daily) or a key
/// is created.
/// </summary>
internal sealed class DatabaseXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    private const string SelectSql = "select xml from data_protection_keys order by id";

    private const string InsertSql = "insert into data_protection_keys (friendly_name, xml) values (@friendlyName, @xml)";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<string>(SelectSql).Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var connection = dataSource.OpenConnection();
        connection.Execute(InsertSql, new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
