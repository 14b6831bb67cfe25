// sqlcheck: a second opinion on pcfailover's T-SQL.
//
// Reads statements as JSON lines ({"source": "...", "text": "..."}) from a file (or stdin
// when the argument is "-" or missing), parses each text with Microsoft's own T-SQL parser
// (Microsoft.SqlServer.TransactSql.ScriptDom) under the SQL Server 2008, 2012, 2014 and
// 2016 grammars (TSql100Parser .. TSql130Parser, QUOTED_IDENTIFIER ON: the back ends that
// Lync Server 2013 and Skype for Business Server 2015 support), and prints every rejection
// as one JSON line on stdout:
//
//   {"grammar":"TSql100","sqlServer":"2008","line":1,"column":8,"number":46010,
//    "message":"...","source":"...","text":"..."}
//
// A last line on stderr counts statements and rejections. Exit codes: 0 nothing rejected,
// 1 at least one rejection, 2 bad input or usage (named on stderr).
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace PCFailover.SqlCheck;

internal static class Program
{
    private sealed record Grammar(string Name, string SqlServer, Func<TSqlParser> Make);

    // QUOTED_IDENTIFIER ON, as every SQL Server client driver (go-mssqldb included) sets it.
    private static readonly Grammar[] Grammars =
    {
        new("TSql100", "2008", () => new TSql100Parser(true)),
        new("TSql110", "2012", () => new TSql110Parser(true)),
        new("TSql120", "2014", () => new TSql120Parser(true)),
        new("TSql130", "2016", () => new TSql130Parser(true)),
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
                p.Parse(new StringReader(text), out IList<ParseError> errors);
                foreach (var e in errors)
                {
                    rejections++;
                    w.WriteStartObject();
                    w.WriteString("grammar", g.Name);
                    w.WriteString("sqlServer", g.SqlServer);
                    w.WriteNumber("line", e.Line);
                    w.WriteNumber("column", e.Column);
                    w.WriteNumber("number", e.Number);
                    w.WriteString("message", e.Message);
                    w.WriteString("source", source);
                    w.WriteString("text", text);
                    w.WriteEndObject();
                    w.Flush();
                    stdout.WriteByte((byte)'\n');
                    w.Reset(stdout);
                }
            }
        }
        w.Flush();
        Console.Error.WriteLine($"sqlcheck: {statements} statements, {Grammars.Length} grammars, {rejections} rejections");
        return rejections == 0 ? 0 : 1;
    }
}
