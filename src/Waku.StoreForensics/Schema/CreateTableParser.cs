using System.Text;

namespace Waku.StoreForensics.Schema;

/// <summary>A column as a CREATE TABLE statement declares it.</summary>
/// <param name="Name">Column name, unquoted.</param>
/// <param name="DeclaredType">Declared type text, upper-cased, empty when none.</param>
/// <param name="NotNull">True when the column has a NOT NULL constraint.</param>
/// <param name="PrimaryKeyOrdinal">1-based position in the primary key, 0 when not part of it.</param>
public sealed record DeclaredColumn(string Name, string DeclaredType, bool NotNull, int PrimaryKeyOrdinal);

/// <summary>The parts of a CREATE TABLE statement that identify an nwaku layout.</summary>
/// <param name="Name">Table name, unquoted.</param>
/// <param name="Columns">Columns in declaration order.</param>
/// <param name="WithoutRowid">True for a WITHOUT ROWID table.</param>
public sealed record DeclaredTable(string Name, IReadOnlyList<DeclaredColumn> Columns, bool WithoutRowid)
{
    /// <summary>Primary-key column names in key order.</summary>
    public IReadOnlyList<string> PrimaryKey =>
        Columns.Where(c => c.PrimaryKeyOrdinal > 0).OrderBy(c => c.PrimaryKeyOrdinal).Select(c => c.Name).ToArray();
}

/// <summary>
/// A small parser for the CREATE TABLE texts found in <c>sqlite_schema.sql</c> (sqlite.org/lang_createtable.html).
/// It understands comments, quoted names, column and table constraints; it never throws on its input.
/// </summary>
internal static class CreateTableParser
{
    private static readonly HashSet<string> ColumnConstraintStarts = new(StringComparer.OrdinalIgnoreCase)
    {
        "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS",
    };

    private static readonly HashSet<string> TableConstraintStarts = new(StringComparer.OrdinalIgnoreCase)
    {
        "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN",
    };

    /// <summary>Parses <paramref name="sql"/>; false when it is not a CREATE TABLE statement with a column list.</summary>
    internal static bool TryParse(string? sql, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DeclaredTable? table)
    {
        table = null;
        if (sql is null)
        {
            return false;
        }

        List<Token> tokens = Tokenize(sql);
        int i = 0;
        if (!Keyword(tokens, ref i, "CREATE"))
        {
            return false;
        }

        _ = Keyword(tokens, ref i, "TEMP") || Keyword(tokens, ref i, "TEMPORARY");
        if (!Keyword(tokens, ref i, "TABLE"))
        {
            return false;
        }

        int save = i;
        if (!(Keyword(tokens, ref i, "IF") && Keyword(tokens, ref i, "NOT") && Keyword(tokens, ref i, "EXISTS")))
        {
            i = save;
        }

        if (i >= tokens.Count || !tokens[i].IsName)
        {
            return false;
        }

        string name = tokens[i++].Text;
        if (i + 1 < tokens.Count && tokens[i].Text == "." && tokens[i + 1].IsName)
        {
            name = tokens[i + 1].Text;
            i += 2;
        }

        if (i >= tokens.Count || tokens[i].Text != "(")
        {
            return false;
        }

        i++;
        var elements = new List<List<Token>>();
        var current = new List<Token>();
        int depth = 0;
        for (; i < tokens.Count; i++)
        {
            Token t = tokens[i];
            if (t.Text == "(" && !t.IsName)
            {
                depth++;
            }
            else if (t.Text == ")" && !t.IsName)
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
            else if (t.Text == "," && !t.IsName && depth == 0)
            {
                elements.Add(current);
                current = [];
                continue;
            }

            current.Add(t);
        }

        if (i >= tokens.Count)
        {
            return false;
        }

        elements.Add(current);
        i++;
        bool withoutRowid = Keyword(tokens, ref i, "WITHOUT") && Keyword(tokens, ref i, "ROWID");

        var columns = new List<(string Name, string Type, bool NotNull, bool InlinePk)>();
        var tablePk = new List<string>();
        foreach (List<Token> element in elements)
        {
            if (element.Count == 0)
            {
                return false;
            }

            if (!element[0].IsQuoted && TableConstraintStarts.Contains(element[0].Text))
            {
                int p = IndexOfKeywordPair(element, "PRIMARY", "KEY");
                if (p >= 0 && p + 2 < element.Count && element[p + 2].Text == "(")
                {
                    for (int k = p + 3; k < element.Count && element[k].Text != ")"; k++)
                    {
                        if (element[k].IsName && !IsOrderKeyword(element[k]))
                        {
                            tablePk.Add(element[k].Text);
                        }
                    }
                }

                continue;
            }

            if (!element[0].IsName)
            {
                return false;
            }

            var type = new StringBuilder();
            int j = 1;
            for (; j < element.Count; j++)
            {
                Token t = element[j];
                if (!t.IsQuoted && ColumnConstraintStarts.Contains(t.Text))
                {
                    break;
                }

                if (t.Text == "(")
                {
                    // type size such as VARCHAR(10): keep it out of the type name
                    while (j < element.Count && element[j].Text != ")")
                    {
                        j++;
                    }

                    continue;
                }

                if (type.Length > 0)
                {
                    type.Append(' ');
                }

                type.Append(t.Text.ToUpperInvariant());
            }

            bool notNull = IndexOfKeywordPair(element, "NOT", "NULL", j) >= 0;
            bool inlinePk = IndexOfKeywordPair(element, "PRIMARY", "KEY", j) >= 0;
            columns.Add((element[0].Text, type.ToString(), notNull, inlinePk));
        }

        var result = new List<DeclaredColumn>(columns.Count);
        int inlineOrdinal = 0;
        foreach ((string colName, string colType, bool notNull, bool inlinePk) in columns)
        {
            int pk = tablePk.FindIndex(n => string.Equals(n, colName, StringComparison.OrdinalIgnoreCase)) + 1;
            if (inlinePk)
            {
                pk = ++inlineOrdinal;
            }

            result.Add(new DeclaredColumn(colName, colType, notNull, pk));
        }

        table = new DeclaredTable(name, result, withoutRowid);
        return true;
    }

    private static bool IsOrderKeyword(Token t) =>
        !t.IsQuoted && (t.Text.Equals("ASC", StringComparison.OrdinalIgnoreCase) || t.Text.Equals("DESC", StringComparison.OrdinalIgnoreCase) || t.Text.Equals("COLLATE", StringComparison.OrdinalIgnoreCase));

    private static int IndexOfKeywordPair(List<Token> tokens, string first, string second, int start = 0)
    {
        for (int k = start; k + 1 < tokens.Count; k++)
        {
            if (!tokens[k].IsQuoted && tokens[k].Text.Equals(first, StringComparison.OrdinalIgnoreCase)
                && !tokens[k + 1].IsQuoted && tokens[k + 1].Text.Equals(second, StringComparison.OrdinalIgnoreCase))
            {
                return k;
            }
        }

        return -1;
    }

    private static bool Keyword(List<Token> tokens, ref int i, string keyword)
    {
        if (i < tokens.Count && !tokens[i].IsQuoted && tokens[i].Text.Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            i++;
            return true;
        }

        return false;
    }

    private readonly record struct Token(string Text, bool IsName, bool IsQuoted);

    private static List<Token> Tokenize(string sql)
    {
        var tokens = new List<Token>();
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
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
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

                // a single-quoted string is a literal, not a name (SQLite's fallback aside)
                tokens.Add(new Token(text.ToString(), IsName: c != '\'', IsQuoted: true));
            }
            else if (char.IsLetterOrDigit(c) || c == '_' || c == '$' || c > 127)
            {
                int start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$' || sql[i] > 127))
                {
                    i++;
                }

                tokens.Add(new Token(sql[start..i], IsName: true, IsQuoted: false));
            }
            else
            {
                tokens.Add(new Token(c.ToString(), IsName: false, IsQuoted: false));
                i++;
            }
        }

        return tokens;
    }
}
