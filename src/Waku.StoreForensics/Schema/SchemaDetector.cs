using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Schema;

/// <summary>How a table found in a file compares with the catalog.</summary>
/// <param name="TableName">Name in the file.</param>
/// <param name="Declared">The parsed CREATE TABLE, null when its SQL could not be parsed.</param>
/// <param name="Schema">The catalogued layout with the same columns, or the closest one when <paramref name="IsExactMatch"/> is false.</param>
/// <param name="IsExactMatch">True when names, declared types, order and primary key all match.</param>
/// <param name="Differences">What differs from <paramref name="Schema"/> when not an exact match.</param>
public sealed record TableMatch<TSchema>(string TableName, TableDefinition? Declared, TSchema? Schema, bool IsExactMatch, IReadOnlyList<string> Differences)
    where TSchema : TableSchema;

/// <summary>What the catalog makes of a file's user_version and schema table.</summary>
/// <param name="UserVersion">The file's user_version, null when unreadable.</param>
/// <param name="Message">The Message table, null when the file has none.</param>
/// <param name="MessageBackup">A <c>Message_backup</c> table left by an interrupted migration, if any.</param>
/// <param name="Peer">The Peer table, null when the file has none.</param>
/// <param name="Findings">Known broken states and inconsistencies, each explained.</param>
public sealed record SchemaDetection(
    int? UserVersion,
    TableMatch<MessageTableSchema>? Message,
    TableMatch<MessageTableSchema>? MessageBackup,
    TableMatch<PeerTableSchema>? Peer,
    IReadOnlyList<Finding> Findings)
{
    /// <summary>The recognised Message layout (exact matches only), or null.</summary>
    public MessageTableSchema? MessageSchema => Message is { IsExactMatch: true } m ? m.Schema : null;
}

/// <summary>
/// Recognises nwaku schemas from the plain data of a file's header and schema table. The layout is decided by
/// the columns (the shape), never by user_version; user_version is only checked against it.
/// </summary>
public static class SchemaDetector
{
    /// <summary>Detects the layouts of <paramref name="objects"/> and checks <paramref name="userVersion"/> against them.</summary>
    public static SchemaDetection Detect(int? userVersion, IReadOnlyList<SchemaObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var findings = new List<Finding>();

        SchemaObject? messageObject = objects.FirstOrDefault(o => IsTable(o) && (Is(o.Name, "message") || Is(o.Name, "messages")));
        SchemaObject? backupObject = objects.FirstOrDefault(o => IsTable(o) && Is(o.Name, "message_backup"));
        SchemaObject? peerObject = objects.FirstOrDefault(o => IsTable(o) && Is(o.Name, "peer"));

        TableMatch<MessageTableSchema>? message = messageObject is null ? null : Match(messageObject, NwakuSchemaCatalog.MessageSchemas);
        TableMatch<MessageTableSchema>? backup = backupObject is null ? null : Match(backupObject, NwakuSchemaCatalog.MessageSchemas);
        TableMatch<PeerTableSchema>? peer = peerObject is null ? null : Match(peerObject, NwakuSchemaCatalog.PeerSchemas);

        if (backup is not null)
        {
            findings.Add(new Finding(Severity.Error, FindingKind.InterruptedMigration, new Location(Table: backup.TableName),
                $"table {backup.TableName} present{(backup.Schema is null ? "" : $" with layout {backup.Schema.Id}")}; Message table {(message is null ? "absent" : "present")}",
                "A migration script stopped between renaming the old table and dropping it; rows may exist only in the backup table."));
        }

        if (message is null)
        {
            if (peer is null || backup is not null)
            {
                findings.Add(new Finding(backup is null ? Severity.Warning : Severity.Error, FindingKind.MessageTableMissing, Location.Unknown,
                    $"tables: {string.Join(", ", objects.Where(IsTable).Select(o => o.Name))}",
                    "No Message table: not an nwaku message store, or its schema entry is lost."));
            }
        }
        else if (!message.IsExactMatch)
        {
            findings.Add(new Finding(Severity.Error, FindingKind.UnknownMessageLayout, new Location(Table: message.TableName),
                message.Schema is null ? "CREATE TABLE text could not be parsed" : $"closest {message.Schema.Id}: {string.Join("; ", message.Differences)}",
                "The Message table's columns match no layout nwaku created; nwaku's inserts and queries would fail on it."));
        }
        else
        {
            findings.AddRange(CheckUserVersion(message.Schema!, userVersion, message.TableName));
            CheckMigration8(messageObject!, message, findings);
            CheckIndexes(message, objects, findings);
        }

        if (peer is not null && !peer.IsExactMatch)
        {
            findings.Add(new Finding(Severity.Warning, FindingKind.UnknownPeerLayout, new Location(Table: peer.TableName),
                peer.Schema is null ? "CREATE TABLE text could not be parsed" : $"closest {peer.Schema.Id}: {string.Join("; ", peer.Differences)}",
                "The Peer table's columns match no layout nwaku created."));
        }

        return new SchemaDetection(userVersion, message, backup, peer, findings);
    }

    /// <summary>
    /// Checks <paramref name="userVersion"/> against a layout, however the layout was found (schema table or the
    /// shape of records on damaged pages): the named states #791 and "user_version 0 over schema 7", or a plain mismatch.
    /// </summary>
    public static IReadOnlyList<Finding> CheckUserVersion(MessageTableSchema schema, int? userVersion, string? tableName = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var findings = new List<Finding>(1);
        var location = new Location(Table: tableName ?? schema.TableName);
        if (schema.Id == MessageSchemaId.S1 && userVersion == 2)
        {
            findings.Add(new Finding(Severity.Error, FindingKind.V04LayoutUnderUserVersion2, location,
                "v0.4 layout (single 'timestamp' column) with user_version 2",
                "nwaku issue #791: a v0.5/v0.6 image without migration scripts set user_version 2 over a v0.4 table; every read and write then fails."));
            return findings;
        }

        if (schema.Id == MessageSchemaId.S7 && userVersion == 0)
        {
            findings.Add(new Finding(Severity.Warning, FindingKind.UserVersionZeroOverSchema7, location,
                "schema-7 layout (key storedAt, id, pubsubTopic) with user_version 0",
                "Left by nwaku v0.14–v0.18 (#2027): v0.19 fails to start on it; v0.20+ forces user_version 7 before migrating."));
            return findings;
        }

        if (userVersion is { } uv && !schema.UserVersions.Contains(uv))
        {
            bool ahead = uv > schema.UserVersions.Max();
            findings.Add(new Finding(Severity.Error, FindingKind.UserVersionMismatch, location,
                $"layout {schema.Id} expects user_version {string.Join(" or ", schema.UserVersions)}, file has {uv}",
                ahead
                    ? "user_version is ahead of the table: nwaku skips the migrations this table still needs and its statements fail."
                    : "user_version is behind the table: nwaku replays migration scripts over an already-migrated table and fails."));
        }

        return findings;
    }

    /// <summary>
    /// Compares the layout a schema entry declares (null when the entry is lost) with the record shapes voted by
    /// <see cref="RecordShapeDetector.Vote"/> over the records of that table's pages. The shape is trusted over the
    /// schema entry: a disagreement is reported, and a lost entry is replaced by the layout the records show.
    /// </summary>
    /// <param name="declared">Layout from <see cref="Detect"/>, or null.</param>
    /// <param name="votes">Votes over the table's records.</param>
    /// <param name="recordCount">Number of records voted on.</param>
    /// <param name="inferred">The layout the records show, or null when no layout fits most of them.</param>
    /// <param name="tableName">Table name for the findings' location.</param>
    public static IReadOnlyList<Finding> CompareWithRecords(
        MessageTableSchema? declared,
        IReadOnlyList<RecordShapeVote> votes,
        int recordCount,
        out MessageTableSchema? inferred,
        string? tableName = null)
    {
        ArgumentNullException.ThrowIfNull(votes);
        var findings = new List<Finding>(1);
        RecordShapeVote? best = votes
            .Where(v => v.Shape.IndexName is null && v.Shape.Table is MessageTableSchema)
            .OrderByDescending(v => v.MatchedRecords).ThenByDescending(v => v.TotalScore)
            .FirstOrDefault();
        inferred = best is not null && best.MatchedRecords * 2 > recordCount ? (MessageTableSchema)best.Shape.Table : null;
        var location = new Location(Table: tableName ?? declared?.TableName ?? inferred?.TableName);
        if (declared is null)
        {
            if (inferred is not null)
            {
                findings.Add(new Finding(Severity.Info, FindingKind.LayoutInferredFromRecords, location,
                    $"{best!.MatchedRecords} of {recordCount} records fit {inferred.Id}",
                    $"No usable schema entry: the records have the shape of layout {inferred.Id} ({inferred.Releases})."));
            }

            return findings;
        }

        int declaredMatches = votes.Where(v => v.Shape.IndexName is null && v.Shape.Table == declared).Sum(v => v.MatchedRecords);
        if (inferred is not null && inferred != declared && best!.MatchedRecords > declaredMatches)
        {
            findings.Add(new Finding(Severity.Error, FindingKind.RecordsDisagreeWithSchema, location,
                $"schema declares {declared.Id}; {declaredMatches} of {recordCount} records fit it, {best.MatchedRecords} fit {inferred.Id}",
                $"The rows have the shape of layout {inferred.Id}, not of the declared {declared.Id}: the schema entry was changed or belongs to another table."));
        }

        return findings;
    }

    private static void CheckMigration8(SchemaObject messageObject, TableMatch<MessageTableSchema> message, List<Finding> findings)
    {
        // Only script 00008 writes this comment into the DDL; the driver-created S8/S9 text has none. A file
        // migrated 1→8 while empty carries it too, so this says "may", and the row validator decides per row.
        if (message.Schema!.Id is MessageSchemaId.S8 or MessageSchemaId.S9 or MessageSchemaId.S10
            && messageObject.Sql is { } sql && sql.Contains(NwakuSchemaCatalog.Migration8Comment, StringComparison.Ordinal))
        {
            findings.Add(new Finding(Severity.Info, FindingKind.RandomMessageHashesFromMigration8, new Location(Table: message.TableName),
                $"DDL contains \"{NwakuSchemaCatalog.Migration8Comment}\"",
                "The table went through migration 00008: rows stored before the node's upgrade to v0.23 hold randomblob(32) as messageHash and cannot be found by hash."));
        }
    }

    private static void CheckIndexes(TableMatch<MessageTableSchema> message, IReadOnlyList<SchemaObject> objects, List<Finding> findings)
    {
        // The driver runs CREATE INDEX IF NOT EXISTS at every start: i_ts and i_query from v0.12 (and in the
        // legacy driver), only i_ts in the v0.31+ new archive driver.
        string[] expected = message.Schema!.Id switch
        {
            MessageSchemaId.S7 or MessageSchemaId.S8 or MessageSchemaId.S9 => ["i_ts", "i_query"],
            MessageSchemaId.S10 or MessageSchemaId.Native => ["i_ts"],
            _ => [],
        };
        foreach (string name in expected)
        {
            if (!objects.Any(o => Is(o.Type, "index") && Is(o.Name, name) && Is(o.TableName, message.TableName)))
            {
                findings.Add(new Finding(Severity.Info, FindingKind.IndexMissing, new Location(Table: name),
                    $"no index {name} on {message.TableName}",
                    "nwaku creates this index at every start; it is missing because the node never started on this file or the schema entry is lost."));
            }
        }
    }

    /// <summary>Compares one table of the file with every catalogued layout.</summary>
    public static TableMatch<TSchema> Match<TSchema>(SchemaObject table, IReadOnlyList<TSchema> catalog)
        where TSchema : TableSchema
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(catalog);
        TableDefinition? declared = null;
        if (table.Sql is null || !TableDefinition.TryParse(table.Sql, out declared, out _) || declared is null)
        {
            return new TableMatch<TSchema>(table.Name, null, null, false, ["CREATE TABLE text could not be parsed"]);
        }

        TSchema? best = null;
        List<string>? bestDifferences = null;
        foreach (TSchema schema in catalog)
        {
            List<string> differences = Compare(declared, schema);
            if (bestDifferences is null || differences.Count < bestDifferences.Count)
            {
                best = schema;
                bestDifferences = differences;
            }
        }

        return new TableMatch<TSchema>(table.Name, declared, best, bestDifferences!.Count == 0, bestDifferences);
    }

    private static List<string> Compare(TableDefinition declared, TableSchema schema)
    {
        var differences = new List<string>();
        if (!declared.WithoutRowid)
        {
            differences.Add("not WITHOUT ROWID");
        }

        int common = Math.Min(declared.Columns.Count, schema.Columns.Count);
        for (int i = 0; i < common; i++)
        {
            TableColumn d = declared.Columns[i];
            ColumnDefinition s = schema.Columns[i];
            if (!Is(d.Name, s.Name))
            {
                differences.Add($"column {i + 1} is {d.Name}, expected {s.Name}");
            }
            else if (!Is(d.DeclaredType, s.DeclaredType) || d.NotNull != s.DeclaredNotNull)
            {
                differences.Add($"column {d.Name} is '{d.DeclaredType}{(d.NotNull ? " NOT NULL" : "")}', expected '{s.DeclaredType}{(s.DeclaredNotNull ? " NOT NULL" : "")}'");
            }
        }

        for (int i = common; i < declared.Columns.Count; i++)
        {
            differences.Add($"extra column {declared.Columns[i].Name}");
        }

        for (int i = common; i < schema.Columns.Count; i++)
        {
            differences.Add($"missing column {schema.Columns[i].Name}");
        }

        IReadOnlyList<string> pk = declared.PrimaryKeyNames;
        if (!pk.SequenceEqual(schema.PrimaryKey, StringComparer.OrdinalIgnoreCase))
        {
            differences.Add($"primary key ({string.Join(", ", pk)}), expected ({string.Join(", ", schema.PrimaryKey)})");
        }

        return differences;
    }

    private static bool IsTable(SchemaObject o) => Is(o.Type, "table");

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
