package sqlsim

import (
	"strings"
)

// tokKind classifies a T-SQL token.
type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // bare identifier or keyword
	tQIdent         // [bracketed] or "quoted" identifier: never a keyword
	tString         // 'text' or N'text'
	tNumber         // 123 or 1.5
	tVar            // @name
	tSysVar         // @@name
	tOp             // punctuation and operators
)

type token struct {
	kind tokKind
	text string // identifier (unquoted), string value, number text, variable name with @, operator
	pos  int    // byte offset in the source
	end  int
	wide bool // N'' literal
}

// upper is the keyword form of an identifier token ("" for other kinds).
func (t token) upper() string {
	if t.kind != tIdent {
		return ""
	}
	return strings.ToUpper(t.text)
}

// near is the text SQL Server quotes in "Incorrect syntax near '%.*ls'.".
func (t token) near(src string) string {
	if t.kind == tEOF {
		return ""
	}
	return src[t.pos:t.end]
}

// lexError is an unterminated literal, comment or bracket; SQL Server reports these as
// 105 (unclosed quotation mark) or 102 / 113.
type lexError struct {
	number int32
	text   string
}

func lex(src string) ([]token, *lexError) {
	var out []token
	i := 0
	n := len(src)
	for i < n {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < n && src[i+1] == '-':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && src[i+1] == '*':
			// T-SQL block comments nest.
			depth := 0
			j := i
			for j < n {
				if j+1 < n && src[j] == '/' && src[j+1] == '*' {
					depth++
					j += 2
					continue
				}
				if j+1 < n && src[j] == '*' && src[j+1] == '/' {
					depth--
					j += 2
					if depth == 0 {
						break
					}
					continue
				}
				j++
			}
			if depth != 0 {
				return nil, &lexError{113, "Missing end comment mark '*/'."}
			}
			i = j
		case c == '\'' || ((c == 'N' || c == 'n') && i+1 < n && src[i+1] == '\''):
			start := i
			wide := c != '\''
			if wide {
				i++
			}
			i++
			var b strings.Builder
			closed := false
			for i < n {
				if src[i] == '\'' {
					if i+1 < n && src[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(src[i])
				i++
			}
			if !closed {
				return nil, &lexError{105, "Unclosed quotation mark after the character string '" + b.String() + "'."}
			}
			out = append(out, token{kind: tString, text: b.String(), pos: start, end: i, wide: wide})
		case c == '[':
			start := i
			i++
			var b strings.Builder
			closed := false
			for i < n {
				if src[i] == ']' {
					if i+1 < n && src[i+1] == ']' {
						b.WriteByte(']')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(src[i])
				i++
			}
			if !closed {
				return nil, &lexError{105, "Unclosed quotation mark after the character string '" + b.String() + "'."}
			}
			out = append(out, token{kind: tQIdent, text: b.String(), pos: start, end: i})
		case c == '"':
			start := i
			i++
			var b strings.Builder
			closed := false
			for i < n {
				if src[i] == '"' {
					if i+1 < n && src[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(src[i])
				i++
			}
			if !closed {
				return nil, &lexError{105, "Unclosed quotation mark after the character string '" + b.String() + "'."}
			}
			out = append(out, token{kind: tQIdent, text: b.String(), pos: start, end: i})
		case c >= '0' && c <= '9' || (c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9'):
			start := i
			for i < n && (src[i] >= '0' && src[i] <= '9' || src[i] == '.') {
				i++
			}
			out = append(out, token{kind: tNumber, text: src[start:i], pos: start, end: i})
		case c == '@':
			start := i
			kind := tVar
			i++
			if i < n && src[i] == '@' {
				kind = tSysVar
				i++
			}
			for i < n && isIdentChar(src[i]) {
				i++
			}
			out = append(out, token{kind: kind, text: src[start:i], pos: start, end: i})
		case isIdentStart(c):
			start := i
			for i < n && isIdentChar(src[i]) {
				i++
			}
			out = append(out, token{kind: tIdent, text: src[start:i], pos: start, end: i})
		default:
			start := i
			two := ""
			if i+1 < n {
				two = src[i : i+2]
			}
			switch two {
			case "<=", ">=", "<>", "!=", "!<", "!>":
				i += 2
				out = append(out, token{kind: tOp, text: two, pos: start, end: i})
				continue
			}
			if strings.ContainsRune(",.();=<>+-*/%", rune(c)) {
				i++
				out = append(out, token{kind: tOp, text: string(c), pos: start, end: i})
				continue
			}
			// Any other character is a syntax error at that character.
			r := []rune(src[i:])[0]
			i += len(string(r))
			out = append(out, token{kind: tOp, text: string(r), pos: start, end: i})
		}
	}
	out = append(out, token{kind: tEOF, pos: n, end: n})
	return out, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '#' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' || c == '@'
}

// quoteName is QUOTENAME(s): bracket-quote, doubling ']'.
func quoteName(s string) string {
	return "[" + strings.ReplaceAll(s, "]", "]]") + "]"
}
