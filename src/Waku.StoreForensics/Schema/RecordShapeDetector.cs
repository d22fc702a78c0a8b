namespace Waku.StoreForensics.Schema;

/// <summary>
/// The on-disk shape of the b-tree records of one nwaku table or index: which column sits at each record
/// position. For WITHOUT ROWID tables the primary-key columns come first (sqlite.org/withoutrowid.html §4);
/// an index record holds the indexed columns, then the primary-key columns not already indexed.
/// </summary>
/// <param name="Table">The catalogued table.</param>
/// <param name="IndexName">Null for the table's own b-tree, else the index name.</param>
/// <param name="Columns">Columns in record order.</param>
/// <param name="MinimumLength">Fewest values a record may have (rows written before an ADD COLUMN are shorter).</param>
public sealed record RecordShape(TableSchema Table, string? IndexName, IReadOnlyList<ColumnDefinition> Columns, int MinimumLength)
{
    /// <inheritdoc />
    public override string ToString() => IndexName is null ? Table.ToString()! : $"{Table} index {IndexName}";
}

/// <summary>A record shape that fits one record, with how well it fits.</summary>
/// <param name="Shape">The fitting shape.</param>
/// <param name="Score">Higher is better: 2 per value of the exact storage class, 1 per tolerated one, 2 more per 32-byte key.</param>
public sealed record RecordShapeMatch(RecordShape Shape, int Score);

/// <summary>How many of a set of records fit one shape.</summary>
/// <param name="Shape">The shape.</param>
/// <param name="MatchedRecords">Records that fit it.</param>
/// <param name="TotalScore">Sum of the scores of those records.</param>
public sealed record RecordShapeVote(RecordShape Shape, int MatchedRecords, long TotalScore);

/// <summary>
/// Recognises the nwaku table (or index) a record belongs to from its SQLite serial types alone, for pages
/// whose schema table is damaged or unknown (fileformat2 §2.1: serial type 0 NULL, 1–6/8/9 integer,
/// 7 real, even ≥ 12 blob of (n−12)/2 bytes, odd ≥ 13 text of (n−13)/2 bytes).
/// </summary>
public static class RecordShapeDetector
{
    /// <summary>Every record shape of every catalogued table and index.</summary>
    public static IReadOnlyList<RecordShape> AllShapes { get; } = BuildShapes();

    /// <summary>The shapes that fit a record with <paramref name="serialTypes"/>, best first.</summary>
    public static IReadOnlyList<RecordShapeMatch> Classify(ReadOnlySpan<long> serialTypes)
    {
        var matches = new List<RecordShapeMatch>();
        foreach (RecordShape shape in AllShapes)
        {
            if (TryScore(shape, serialTypes, out int score))
            {
                matches.Add(new RecordShapeMatch(shape, score));
            }
        }

        matches.Sort((a, b) => b.Score.CompareTo(a.Score));
        return matches;
    }

    /// <summary>
    /// Votes over many records (e.g. every cell of a page or of a file) and returns the shapes that fit any,
    /// most-fitting first. A shape that fits every record of a table's pages identifies its layout.
    /// </summary>
    public static IReadOnlyList<RecordShapeVote> Vote(IEnumerable<long[]> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var matched = new int[AllShapes.Count];
        var scores = new long[AllShapes.Count];
        foreach (long[] record in records)
        {
            for (int i = 0; i < AllShapes.Count; i++)
            {
                if (TryScore(AllShapes[i], record, out int score))
                {
                    matched[i]++;
                    scores[i] += score;
                }
            }
        }

        return Enumerable.Range(0, AllShapes.Count)
            .Where(i => matched[i] > 0)
            .Select(i => new RecordShapeVote(AllShapes[i], matched[i], scores[i]))
            .OrderByDescending(v => v.MatchedRecords).ThenByDescending(v => v.TotalScore)
            .ToArray();
    }

    /// <summary>The storage class of a SQLite serial type, <see cref="StorageClasses.None"/> for the reserved 10 and 11.</summary>
    public static StorageClasses StorageClassOf(long serialType) => serialType switch
    {
        0 => StorageClasses.Null,
        >= 1 and <= 6 or 8 or 9 => StorageClasses.Integer,
        7 => StorageClasses.Real,
        >= 12 when serialType % 2 == 0 => StorageClasses.Blob,
        >= 13 => StorageClasses.Text,
        _ => StorageClasses.None,
    };

    /// <summary>True when a record with <paramref name="serialTypes"/> could belong to <paramref name="shape"/>.</summary>
    public static bool Fits(RecordShape shape, ReadOnlySpan<long> serialTypes) => TryScore(shape, serialTypes, out _);

    /// <summary>True when a value of <paramref name="serialType"/> could sit in <paramref name="column"/> (the per-column test of <see cref="Fits"/>).</summary>
    public static bool FitsColumn(ColumnDefinition column, long serialType) => ScoreColumn(column, serialType) >= 0;

    /// <summary>How well one value fits one column; -1 when it cannot belong there.</summary>
    private static int ScoreColumn(ColumnDefinition column, long serialType)
    {
        StorageClasses actual = StorageClassOf(serialType);
        StorageClasses expected = column.ExpectedStorage;
        bool isKey = column.Role is ColumnRole.MessageDigest or ColumnRole.MessageHash;
        if (actual == StorageClasses.Blob && isKey)
        {
            // nwaku's digests and hashes are always SHA-256 values.
            return (serialType - 12) / 2 == 32 ? 4 : -1;
        }

        if ((expected & actual) != 0)
        {
            // An integer in a REAL column is SQLite's on-disk optimisation, not nwaku's choice: weaker evidence.
            return column.DeclaredType == "REAL" && actual == StorageClasses.Integer ? 1 : 2;
        }

        if (actual == StorageClasses.Text && column.Role is ColumnRole.ContentTopic or ColumnRole.PubsubTopic && (expected & StorageClasses.Blob) != 0)
        {
            // Topics reseeded as TEXT by other tools: same table, weaker evidence.
            return 1;
        }

        return actual == StorageClasses.Null && column.PrimaryKeyOrdinal == 0 && !column.IsNotNull ? 2 : -1;
    }

    private static bool TryScore(RecordShape shape, ReadOnlySpan<long> serialTypes, out int score)
    {
        score = 0;
        if (serialTypes.Length < shape.MinimumLength || serialTypes.Length > shape.Columns.Count)
        {
            return false;
        }

        for (int i = 0; i < serialTypes.Length; i++)
        {
            int columnScore = ScoreColumn(shape.Columns[i], serialTypes[i]);
            if (columnScore < 0)
            {
                return false;
            }

            score += columnScore;
        }

        return true;
    }

    private static List<RecordShape> BuildShapes()
    {
        var shapes = new List<RecordShape>();
        foreach (TableSchema table in NwakuSchemaCatalog.MessageSchemas.Cast<TableSchema>().Concat(NwakuSchemaCatalog.PeerSchemas))
        {
            ColumnDefinition[] recordColumns = table.RecordOrder.Select(i => table.Columns[i]).ToArray();

            // S9's meta was added by ALTER TABLE ADD COLUMN (00009): older rows keep 8 values.
            int minimum = table is MessageTableSchema { Id: MessageSchemaId.S9 } ? recordColumns.Length - 1 : recordColumns.Length;
            shapes.Add(new RecordShape(table, null, recordColumns, minimum));

            foreach (IndexDefinition index in table.Indexes)
            {
                var columns = index.Columns.Select(n => table.Columns[table.IndexOf(n)]).ToList();
                columns.AddRange(table.PrimaryKey.Where(pk => !index.Columns.Contains(pk, StringComparer.OrdinalIgnoreCase))
                    .Select(pk => table.Columns[table.IndexOf(pk)]));
                if (!shapes.Any(s => s.Table == table && s.IndexName == index.Name))
                {
                    shapes.Add(new RecordShape(table, index.Name, columns, columns.Count));
                }
            }
        }

        return shapes;
    }
}
