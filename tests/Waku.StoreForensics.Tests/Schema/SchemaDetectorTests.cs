using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Schema;

public class SchemaDetectorTests
{
    [Theory]
    [InlineData(1, MessageSchemaId.S1)]
    [InlineData(2, MessageSchemaId.S2)]
    [InlineData(3, MessageSchemaId.S3)]
    [InlineData(4, MessageSchemaId.S4)]
    [InlineData(5, MessageSchemaId.S4)]
    [InlineData(6, MessageSchemaId.S6)]
    [InlineData(7, MessageSchemaId.S7)]
    [InlineData(8, MessageSchemaId.S8)]
    [InlineData(9, MessageSchemaId.S9)]
    [InlineData(10, MessageSchemaId.S10)]
    public void Detect_ReplayedNwakuMigrations_RecognisesLayoutAndStoredText(int upTo, MessageSchemaId expected)
    {
        using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("store.sqlite3"));
        SqliteFixtures.ReplayMessageMigrations(connection, upTo);
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);

        Assert.NotNull(detection.MessageSchema);
        Assert.Equal(expected, detection.MessageSchema.Id);
        string storedSql = objects.Single(o => o.Type == "table" && o.Name.Equals("message", StringComparison.OrdinalIgnoreCase)).Sql!;
        Assert.Contains(storedSql, detection.MessageSchema.StoredSqlVariants);
        Assert.Equal(detection.MessageSchema.TableName, detection.Message!.TableName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void Detect_ConsistentMigratedFile_HasNoWarningsOrErrors(int upTo)
    {
        using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("store.sqlite3"));
        SqliteFixtures.ReplayMessageMigrations(connection, upTo);
        foreach (IndexDefinition index in NwakuSchemaCatalog.MessageSchemas.Single(s => s.Id == (MessageSchemaId)upTo).Indexes.Where(i => i.IsCreatedAtStart && upTo >= 7))
        {
            SqliteFixtures.Execute(connection, index.Sql); // what the driver adds at start
        }

        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);
        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);

        Assert.DoesNotContain(detection.Findings, f => f.Severity > Severity.Info);
    }

    [Fact]
    public void Detect_UpgradeFromS9_IndexesFollowTheRenamedColumn()
    {
        using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("store.sqlite3"));
        MessageTableSchema s9 = NwakuSchemaCatalog.Get(MessageSchemaId.S9);
        SqliteFixtures.ReplayMessageMigrations(connection, 9);
        foreach (IndexDefinition index in s9.Indexes)
        {
            SqliteFixtures.Execute(connection, index.Sql);
        }

        SqliteFixtures.ReplayMessageMigrations(connection, 10, from: 9);
        SqliteFixtures.Execute(connection, NwakuSchemaCatalog.Latest.Indexes.First(i => i.Name == "i_ts").Sql);
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        Assert.Equal(MessageSchemaId.S10, SchemaDetector.Detect(userVersion, objects).MessageSchema?.Id);
        Assert.Equal("CREATE INDEX i_ts ON Message (timestamp)", objects.Single(o => o.Name == "i_ts").Sql);
        Assert.Equal(NwakuSchemaCatalog.Latest.Indexes.Single(i => i.Name == "i_query").Sql, objects.Single(o => o.Name == "i_query").Sql);
    }

    [Fact]
    public void Detect_PeerScript_RecognisesFourColumnPeerTable()
    {
        using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("peers.db"));
        SqliteFixtures.ReplayPeerMigration(connection);
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);

        Assert.Null(detection.Message);
        Assert.True(detection.Peer!.IsExactMatch);
        Assert.Equal(PeerSchemaId.FourColumns, detection.Peer.Schema!.Id);
        Assert.Contains(objects.Single(o => o.Name == "Peer").Sql, detection.Peer.Schema.StoredSqlVariants);
        Assert.Empty(detection.Findings);
    }

    [Fact]
    public void Detect_V04TableUnderUserVersion2_IsTheIssue791State()
    {
        // v0.5/v0.6 images: the v0.4 table stays, user_version becomes 2 (no scripts shipped).
        using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("store.sqlite3"));
        SqliteFixtures.Execute(connection, NwakuSchemaCatalog.Get(MessageSchemaId.S1).CreateSql);
        SqliteFixtures.Execute(connection, "PRAGMA user_version = 2;");
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);

        Assert.Equal(MessageSchemaId.S1, detection.MessageSchema?.Id);
        Finding finding = Assert.Single(detection.Findings);
        Assert.Equal(FindingKind.V04LayoutUnderUserVersion2, finding.Kind);
        Assert.Equal(Severity.Error, finding.Severity);
    }

    [Fact]
    public void Detect_Schema7UnderUserVersion0_IsTheV014ToV018State()
    {
        using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("store.sqlite3"));
        SqliteFixtures.ReplayMessageMigrations(connection, 7);
        SqliteFixtures.Execute(connection, "PRAGMA user_version = 0;");
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);

        Assert.Equal(MessageSchemaId.S7, detection.MessageSchema?.Id);
        Assert.Contains(detection.Findings, f => f.Kind == FindingKind.UserVersionZeroOverSchema7);
    }

    [Fact]
    public void Detect_MigrationStoppedAfterRename_ReportsBackupTable()
    {
        using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("store.sqlite3"));
        SqliteFixtures.ReplayMessageMigrations(connection, 7);
        SqliteFixtures.Execute(connection, "ALTER TABLE message RENAME TO message_backup"); // first statement of 00008
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);

        Assert.Null(detection.Message);
        Assert.Equal(MessageSchemaId.S7, detection.MessageBackup?.Schema?.Id);
        Assert.Contains(detection.Findings, f => f.Kind == FindingKind.InterruptedMigration && f.Severity == Severity.Error);
    }

    [Fact]
    public void Detect_UserVersionAheadOfLayout_IsMismatch()
    {
        using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("store.sqlite3"));
        SqliteFixtures.ReplayMessageMigrations(connection, 9);
        SqliteFixtures.Execute(connection, "PRAGMA user_version = 10;");
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);

        Assert.Equal(MessageSchemaId.S9, detection.MessageSchema?.Id); // shape wins over user_version
        Finding finding = Assert.Single(detection.Findings, f => f.Kind == FindingKind.UserVersionMismatch);
        Assert.Contains("ahead", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_MigratedThrough00008_SaysHashesMayBeRandom_DriverCreatedDoesNot()
    {
        SchemaObject migrated = new("table", "message", "message", 0, NwakuSchemaCatalog.Get(MessageSchemaId.S9).StoredSqlVariants[0]);
        SchemaObject driverCreated = new("table", "Message", "Message", 0, NwakuSchemaCatalog.Get(MessageSchemaId.S9).StoredSqlVariants[1]);

        Assert.Contains(SchemaDetector.Detect(9, [migrated]).Findings, f => f.Kind == FindingKind.RandomMessageHashesFromMigration8);
        Assert.DoesNotContain(SchemaDetector.Detect(9, [driverCreated]).Findings, f => f.Kind == FindingKind.RandomMessageHashesFromMigration8);
        Assert.Equal(MessageSchemaId.S9, SchemaDetector.Detect(9, [driverCreated]).MessageSchema?.Id);
    }

    [Fact]
    public void Detect_ForeignMessageTable_IsUnknownLayoutWithDifferences()
    {
        SchemaObject table = new("table", "Message", "Message", 0, "CREATE TABLE Message (id BLOB PRIMARY KEY, receivedAt INTEGER NOT NULL, body TEXT)");

        SchemaDetection detection = SchemaDetector.Detect(1, [table]);

        Assert.Null(detection.MessageSchema);
        Finding finding = Assert.Single(detection.Findings);
        Assert.Equal(FindingKind.UnknownMessageLayout, finding.Kind);
        Assert.Contains("not WITHOUT ROWID", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_NoTables_ReportsMissingMessageTable()
    {
        SchemaDetection detection = SchemaDetector.Detect(0, []);
        Assert.Equal(FindingKind.MessageTableMissing, Assert.Single(detection.Findings).Kind);
    }

    [Fact]
    public void Catalog_EveryStoredTextParsesBackToItsOwnLayout()
    {
        foreach (MessageTableSchema schema in NwakuSchemaCatalog.MessageSchemas)
        {
            foreach (string sql in schema.StoredSqlVariants)
            {
                TableMatch<MessageTableSchema> match = SchemaDetector.Match(new SchemaObject("table", schema.TableName, schema.TableName, 0, sql), NwakuSchemaCatalog.MessageSchemas);
                Assert.True(match.IsExactMatch, $"{schema.Id}: {string.Join("; ", match.Differences)}");
                Assert.Equal(schema.Id, match.Schema!.Id);
            }
        }
    }

    [Fact]
    public void Catalog_CreateStatementsProduceTheStoredText()
    {
        // Executing the verbatim nwaku statement must leave the first stored variant in sqlite_schema.
        foreach (TableSchema schema in NwakuSchemaCatalog.MessageSchemas.Where(s => s.CreateSql.StartsWith("CREATE", StringComparison.Ordinal)).Cast<TableSchema>().Concat(NwakuSchemaCatalog.PeerSchemas))
        {
            using SqliteConnection connection = SqliteFixtures.Open(SqliteFixtures.NewPath("x.db"));
            SqliteFixtures.Execute(connection, schema.CreateSql);
            string stored = (string)SqliteFixtures.Scalar(connection, "SELECT sql FROM sqlite_schema WHERE type = 'table'")!;
            Assert.Contains(stored, schema.StoredSqlVariants);
        }
    }
}
