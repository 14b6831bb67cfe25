// sqlcheck: a second opinion on pcfailover's T-SQL.
//
// Reads statements as JSON lines ({"source": "...", "text": "..."}) from a file (or stdin
// when the argument is "-" or missing), parses each text with Microsoft's own T-SQL parser
// (Microsoft.SqlServer.TransactSql.ScriptDom) under the SQL Server 2008, 2012, 2014 and
// 2016 grammars (TSql100Parser .. TSql130Parser, QUOTED_IDENTIFIER ON: the back ends that
// Lync Server 2013 and Skype for Business Server 2015 support), and prints every rejection
// as one JSON line on stdout:
//
//   {"grammar":"TSql100","sqlServer":"2008","kind":"syntax","line":1,"column":8,
//    "number":46010,"message":"...","source":"...","text":"..."}
//
// kind "syntax" is ScriptDom's own parse error (number: its error number); kind
// "function" is a call of a built-in function that grammar's SQL Server does not have
// (TRY_CONVERT under 2008: the older parsers accept any function name, SQL Server then
// refuses it; see NewerFunctions), with number 0.
//
// A last line on stderr counts statements and rejections. Exit codes: 0 nothing rejected,
// 1 at least one rejection, 2 bad input or usage (named on stderr).
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace PCFailover.SqlCheck;

internal static class Program
{
    private sealed record Grammar(string Name, string SqlServer, int Version, Func<TSqlParser> Make);

    // QUOTED_IDENTIFIER ON, as the tool's sessions run: go-mssqldb v1.11.2 logs in with
    // OptionFlags2 = fODBC (tds.go), and MS-TDS LOGIN7 says fODBC makes the server set
    // ANSI_DEFAULTS ON, which includes QUOTED_IDENTIFIER ON.
    private static readonly Grammar[] Grammars =
    {
        new("TSql100", "2008", 100, () => new TSql100Parser(true)),
        new("TSql110", "2012", 110, () => new TSql110Parser(true)),
        new("TSql120", "2014", 120, () => new TSql120Parser(true)),
        new("TSql130", "2016", 130, () => new TSql130Parser(true)),
    };

    private static int Main(string[] args)
    {
        if (args.Length > 1 || (args.Length == 1 && (args[0] == "-h" || args[0] == "--help")))
        {
            Console.Error.WriteLine("usage: sqlcheck [FILE|-]   (JSON lines {\"source\": \"...\", \"text\": \"...\"})");
            return args.Length == 1 ? 0 : 2;
        }
        TextReader input;
        try
        {
            input = args.Length == 0 || args[0] == "-" ? Console.In : new StreamReader(args[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"sqlcheck: error: cannot read {args[0]}: {e.Message}");
            return 2;
        }

        var parsers = Grammars.Select(g => (g, p: g.Make())).ToArray();
        using var stdout = Console.OpenStandardOutput();
        using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        int statements = 0, rejections = 0, lineNo = 0;
        string? line;
        while ((line = input.ReadLine()) != null)
        {
            lineNo++;
            if (line.Trim().Length == 0)
            {
                continue;
            }
            string source, text;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object ||
                    !root.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                {
                    Console.Error.WriteLine($"sqlcheck: error: input line {lineNo}: field \"text\" (a string) is missing; each line must be {{\"source\": \"...\", \"text\": \"...\"}}");
                    return 2;
                }
                text = t.GetString()!;
                source = root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String
                    ? s.GetString()! : $"input line {lineNo}";
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"sqlcheck: error: input line {lineNo} is not JSON: {e.Message}");
                return 2;
            }
            statements++;
            foreach (var (g, p) in parsers)
            {
                var tree = p.Parse(new StringReader(text), out IList<ParseError> errors);
                foreach (var e in errors)
                {
                    Reject(w, stdout, g, "syntax", e.Line, e.Column, e.Number, e.Message, source, text);
                    rejections++;
                }
                if (errors.Count > 0 || tree == null)
                {
                    continue;
                }
                var newer = new NewerFunctions(g.Version);
                tree.Accept(newer);
                foreach (var (name, fline, fcolumn, since) in newer.Found)
                {
                    Reject(w, stdout, g, "function", fline, fcolumn, 0,
                        $"{name} is not a built-in function of SQL Server {g.SqlServer} (it came with SQL Server {since}).",
                        source, text);
                    rejections++;
                }
            }
        }
        w.Flush();
        Console.Error.WriteLine($"sqlcheck: {statements} statements, {Grammars.Length} grammars, {rejections} rejections");
        return rejections == 0 ? 0 : 1;
    }
    private static void Reject(Utf8JsonWriter w, Stream stdout, Grammar g, string kind, int line, int column, int number,
        string message, string source, string text)
    {
        w.WriteStartObject();
        w.WriteString("grammar", g.Name);
        w.WriteString("sqlServer", g.SqlServer);
        w.WriteString("kind", kind);
        w.WriteNumber("line", line);
        w.WriteNumber("column", column);
        w.WriteNumber("number", number);
        w.WriteString("message", message);
        w.WriteString("source", source);
        w.WriteString("text", text);
        w.WriteEndObject();
        w.Flush();
        stdout.WriteByte((byte)'\n');
        w.Reset(stdout);
    }}

// NewerFunctions finds calls of built-in functions that a grammar's SQL Server does not
// have. The older grammars parse such a call as an ordinary function call (TSql100Parser
// accepts "SELECT TRY_CONVERT(int, '1')" as a call of a function named TRY_CONVERT), and
// SQL Server 2008 then refuses it with error 195 ("is not a recognized built-in function
// name"). The versions are those of Microsoft Learn's page of each function ("Applies to:
// SQL Server 2012 (11.x) and later", ...); calls with a schema or other target (a
// user-defined function of the same name) are not flagged.
internal sealed class NewerFunctions : TSqlFragmentVisitor
{
    private static readonly Dictionary<string, (int Version, string SqlServer)> Since =
        new(StringComparer.OrdinalIgnoreCase)
        {
            // SQL Server 2012 (11.x)
            ["TRY_CONVERT"] = (110, "2012"), ["TRY_CAST"] = (110, "2012"), ["TRY_PARSE"] = (110, "2012"),
            ["PARSE"] = (110, "2012"), ["FORMAT"] = (110, "2012"), ["CONCAT"] = (110, "2012"),
            ["IIF"] = (110, "2012"), ["CHOOSE"] = (110, "2012"), ["EOMONTH"] = (110, "2012"),
            ["DATEFROMPARTS"] = (110, "2012"), ["DATETIMEFROMPARTS"] = (110, "2012"),
            ["DATETIME2FROMPARTS"] = (110, "2012"), ["DATETIMEOFFSETFROMPARTS"] = (110, "2012"),
            ["SMALLDATETIMEFROMPARTS"] = (110, "2012"), ["TIMEFROMPARTS"] = (110, "2012"),
            ["LAG"] = (110, "2012"), ["LEAD"] = (110, "2012"), ["FIRST_VALUE"] = (110, "2012"),
            ["LAST_VALUE"] = (110, "2012"), ["CUME_DIST"] = (110, "2012"), ["PERCENT_RANK"] = (110, "2012"),
            ["PERCENTILE_CONT"] = (110, "2012"), ["PERCENTILE_DISC"] = (110, "2012"),
            // SQL Server 2016 (13.x)
            ["STRING_SPLIT"] = (130, "2016"), ["STRING_ESCAPE"] = (130, "2016"), ["COMPRESS"] = (130, "2016"),
            ["DECOMPRESS"] = (130, "2016"), ["SESSION_CONTEXT"] = (130, "2016"), ["DATEDIFF_BIG"] = (130, "2016"),
            ["ISJSON"] = (130, "2016"), ["JSON_VALUE"] = (130, "2016"), ["JSON_QUERY"] = (130, "2016"),
            ["JSON_MODIFY"] = (130, "2016"), ["OPENJSON"] = (130, "2016"),
            // SQL Server 2017 (14.x) and later: newer than every back end checked here.
            ["STRING_AGG"] = (140, "2017"), ["TRIM"] = (140, "2017"), ["CONCAT_WS"] = (140, "2017"),
            ["TRANSLATE"] = (140, "2017"), ["GREATEST"] = (160, "2022"), ["LEAST"] = (160, "2022"),
            ["DATETRUNC"] = (160, "2022"), ["DATE_BUCKET"] = (160, "2022"), ["GENERATE_SERIES"] = (160, "2022"),
        };

    private readonly int version;

    public NewerFunctions(int version) => this.version = version;

    public List<(string Name, int Line, int Column, string SqlServer)> Found { get; } = new();

    public override void ExplicitVisit(FunctionCall node)
    {
        if (node.CallTarget == null)
        {
            Check(node.FunctionName, node);
        }
        base.ExplicitVisit(node);
    }

    public override void ExplicitVisit(SchemaObjectFunctionTableReference node)
    {
        if (node.SchemaObject.SchemaIdentifier == null)
        {
            Check(node.SchemaObject.BaseIdentifier, node);
        }
        base.ExplicitVisit(node);
    }

    private void Check(Identifier? name, TSqlFragment at)
    {
        if (name != null && Since.TryGetValue(name.Value, out var since) && since.Version > version)
        {
            Found.Add((name.Value.ToUpperInvariant(), at.StartLine, at.StartColumn, since.SqlServer));
        }
    }
}
