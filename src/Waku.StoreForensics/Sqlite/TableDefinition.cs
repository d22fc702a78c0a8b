using System.Text;

namespace Waku.StoreForensics.Sqlite;

/// <summary>A column of a table as declared in its CREATE TABLE statement.</summary>
/// <param name="Name">Column name, unquoted.</param>
/// <param name="DeclaredType">Declared type text (may be empty).</param>
/// <param name="NotNull">True when the column carries a <c>NOT NULL</c> constraint.</param>
public sealed record TableColumn(string Name, string DeclaredType, bool NotNull = false);

/// <summary>
/// What the reader needs from a CREATE TABLE statement to turn records back into rows: column order, the
/// primary key, WITHOUT ROWID, and the INTEGER PRIMARY KEY rowid alias.
/// </summary>
public sealed class TableDefinition
{
    private TableDefinition(string name, IReadOnlyList<TableColumn> columns, IReadOnlyList<int> primaryKey, bool withoutRowid, int rowidAlias)
    {
        Name = name;
        Columns = columns;
        PrimaryKey = primaryKey;
        WithoutRowid = withoutRowid;
        RowidAliasColumn = rowidAlias;
        RecordOrder = withoutRowid
            ? primaryKey.Concat(Enumerable.Range(0, columns.Count).Where(i => !primaryKey.Contains(i))).ToArray()
            : Enumerable.Range(0, columns.Count).ToArray();
    }

    /// <summary>Table name, unquoted.</summary>
    public string Name { get; }
    /// <summary>Columns in declaration order (the order of <c>SELECT *</c>).</summary>
    public IReadOnlyList<TableColumn> Columns { get; }
    /// <summary>Indexes into <see cref="Columns"/> of the primary-key columns, in key order.</summary>
    public IReadOnlyList<int> PrimaryKey { get; }
    /// <summary>Names of the primary-key columns, in key order.</summary>
    public IReadOnlyList<string> PrimaryKeyNames => PrimaryKey.Select(i => Columns[i].Name).ToArray();
    /// <summary>True for a WITHOUT ROWID table, stored as an index b-tree.</summary>
    public bool WithoutRowid { get; }
    /// <summary>Index of the INTEGER PRIMARY KEY column that aliases the rowid, or -1.</summary>
    public int RowidAliasColumn { get; }
    /// <summary>
    /// For each field of a stored record, the column it holds. A WITHOUT ROWID record stores the primary-key
    /// columns first, then the others in declaration order (fileformat2 §2.5).
    /// </summary>
    public IReadOnlyList<int> RecordOrder { get; }

    /// <summary>Parses a CREATE TABLE statement; false with a reason when it is not one the reader understands.</summary>
    public static bool TryParse(string sql, out TableDefinition? definition, out string? error)
    {
        definition = null;
        var tokens = SqlTokenizer.Tokenize(sql);
        int i = 0;
        if (!Keyword(tokens, i++, "CREATE"))
        {
            error = "not a CREATE statement";
            return false;
        }

        if (Keyword(tokens, i, "TEMP") || Keyword(tokens, i, "TEMPORARY"))
        {
            i++;
        }

        if (Keyword(tokens, i, "VIRTUAL"))
        {
            error = "virtual tables have no b-tree";
            return false;
        }

        if (!Keyword(tokens, i++, "TABLE"))
        {
            error = "not a CREATE TABLE statement";
            return false;
        }

        if (Keyword(tokens, i, "IF"))
        {
            i += 3;
        }

        if (i >= tokens.Count)
        {
            error = "table name missing";
            return false;
        }

        string name = tokens[i++].Text;
        if (i + 1 < tokens.Count && tokens[i].Text == ".")
        {
            name = tokens[i + 1].Text;
            i += 2;
        }

        if (i >= tokens.Count || tokens[i].Text != "(")
        {
            error = "column list missing (CREATE TABLE … AS SELECT is not stored that way)";
            return false;
        }

        var items = SplitTopLevel(tokens, ref i);
        if (items is null)
        {
            error = "unbalanced parentheses in the column list";
            return false;
        }

        var columns = new List<TableColumn>();
        var primaryKey = new List<int>();
        bool columnKeyDescending = false;
        var tableKeyNames = new List<string>();
        foreach (var item in items)
        {
            if (item.Count == 0)
            {
                continue;
            }

            if (IsTableConstraint(item[0]))
            {
                int p = item.FindIndex(t => t.Is("PRIMARY"));
                if (p >= 0)
                {
                    int open = item.FindIndex(p, t => t.Text == "(");
                    if (open >= 0)
                    {
                        // Each key item is a column name optionally followed by COLLATE x and ASC/DESC.
                        bool expectName = true;
                        int depth = 0;
                        for (int k = open + 1; k < item.Count; k++)
                        {
                            var t = item[k];
                            if (t.Text == "(") depth++;
                            else if (t.Text == ")" && depth-- == 0) break;
                            else if (t.Text == "," && depth == 0) expectName = true;
                            else if (expectName) { tableKeyNames.Add(t.Text); expectName = false; }
                        }
                    }
                }

                continue;
            }

            string columnName = item[0].Text;
            var type = new StringBuilder();
            int j = 1;
            for (; j < item.Count && !IsColumnConstraint(item[j]); j++)
            {
                if (type.Length > 0 && item[j].Text != "(" && item[j].Text != ")" && item[j].Text != "," && type[^1] != '(')
                {
                    type.Append(' ');
                }

                type.Append(item[j].Text);
            }

            bool notNull = false;
            for (; j < item.Count; j++)
            {
                if (item[j].Is("NOT") && j + 1 < item.Count && item[j + 1].Is("NULL"))
                {
                    notNull = true;
                }

                if (item[j].Is("PRIMARY") && j + 1 < item.Count && item[j + 1].Is("KEY"))
                {
                    primaryKey.Add(columns.Count);
                    columnKeyDescending = j + 2 < item.Count && item[j + 2].Is("DESC");
                }
            }

            columns.Add(new TableColumn(columnName, type.ToString(), notNull));
        }

        foreach (string keyName in tableKeyNames)
        {
            int index = columns.FindIndex(c => string.Equals(c.Name, keyName, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                error = $"primary key names unknown column {keyName}";
                return false;
            }

            if (!primaryKey.Contains(index))
            {
                primaryKey.Add(index);
            }
        }

        bool withoutRowid = false;
        for (int k = i; k + 1 < tokens.Count; k++)
        {
            if (tokens[k].Is("WITHOUT") && tokens[k + 1].Is("ROWID"))
            {
                withoutRowid = true;
            }
        }

        if (columns.Count == 0)
        {
            error = "no columns";
            return false;
        }

        if (withoutRowid && primaryKey.Count == 0)
        {
            error = "WITHOUT ROWID table without a primary key";
            return false;
        }

        // lang_createtable: only a lone "INTEGER PRIMARY KEY" (not DESC as a column constraint) aliases the rowid.
        int alias = -1;
        if (!withoutRowid && primaryKey.Count == 1 && string.Equals(columns[primaryKey[0]].DeclaredType, "INTEGER", StringComparison.OrdinalIgnoreCase) && !columnKeyDescending)
        {
            alias = primaryKey[0];
        }

        definition = new TableDefinition(name, columns, primaryKey, withoutRowid, alias);
        error = null;
        return true;
    }

    private static bool Keyword(List<SqlToken> tokens, int index, string keyword) => index < tokens.Count && tokens[index].Is(keyword);

    private static bool IsTableConstraint(SqlToken token) =>
        !token.Quoted && (token.Is("CONSTRAINT") || token.Is("PRIMARY") || token.Is("UNIQUE") || token.Is("CHECK") || token.Is("FOREIGN"));

    private static bool IsColumnConstraint(SqlToken token) =>
        !token.Quoted && (token.Is("CONSTRAINT") || token.Is("PRIMARY") || token.Is("NOT") || token.Is("NULL") || token.Is("UNIQUE")
            || token.Is("CHECK") || token.Is("DEFAULT") || token.Is("COLLATE") || token.Is("REFERENCES") || token.Is("GENERATED") || token.Is("AS"));

    /// <summary>Splits the parenthesised list starting at <paramref name="i"/> into comma-separated items.</summary>
    private static List<List<SqlToken>>? SplitTopLevel(List<SqlToken> tokens, ref int i)
    {
        var items = new List<List<SqlToken>> { new() };
        int depth = 0;
        for (i++; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Text == "(" && !t.Quoted)
            {
                depth++;
            }
            else if (t.Text == ")" && !t.Quoted)
            {
                if (depth-- == 0)
                {
                    i++;
                    return items;
                }
            }
            else if (t.Text == "," && depth == 0 && !t.Quoted)
            {
                items.Add(new List<SqlToken>());
                continue;
            }

            items[^1].Add(t);
        }

        return null;
    }
}

internal readonly record struct SqlToken(string Text, bool Quoted)
{
    public bool Is(string keyword) => !Quoted && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Just enough of SQLite's tokenizer for DDL: identifiers, quoted names, strings, comments, punctuation.</summary>
internal static class SqlTokenizer
{
    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        int i = 0;
        while (i < sql.Length)
        {
            char c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                int end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else if (c is '"' or '`' or '[' or '\'')
            {
                char close = c == '[' ? ']' : c;
                var text = new StringBuilder();
                i++;
                while (i < sql.Length)
                {
                    if (sql[i] == close)
                    {
                        if (close != ']' && i + 1 < sql.Length && sql[i + 1] == close)
                        {
                            text.Append(close);
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    text.Append(sql[i++]);
                }

                tokens.Add(new SqlToken(text.ToString(), Quoted: true));
            }
            else if (char.IsLetterOrDigit(c) || c == '_' || c == '$' || c > 127)
            {
                int start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_' || sql[i] == '$' || sql[i] > 127)) i++;
                tokens.Add(new SqlToken(sql[start..i], Quoted: false));
            }
            else
            {
                tokens.Add(new SqlToken(c.ToString(), Quoted: false));
                i++;
            }
        }

        return tokens;
    }
}
