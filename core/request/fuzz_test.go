package request

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const fuzzBaseRequest = `{"schemaVersion":1,"poolFqdn":"pchat.contoso.com","database":"mgc",
"backupSqlInstance":{"server":"sqlbak.contoso.com","port":1433,"auth":"sql","user":"pcfailover","passwordEnv":"PCF_PW","encrypt":"disable"},
"runDirectory":"/var/lib/pcfailover/run","share":"\\\\fs\\logship","lync":{"activeServers":["pc5.contoso.com"],"dataCenters":{"pc5.contoso.com":"DC2"},"backupDataCenter":"DC2","mirrorFileShare":"\\\\fs\\mirror"},
"options":{"acceptDataLoss":false,"copyParallelism":2}}`

// FuzzLoadRequest: request decoding and validation never panic; a rejected request is a
// ValidationError whose every entry names a field and says what to do, or a decoding
// error with a message; an accepted one validates clean again and its password stays out
// of it.
func FuzzLoadRequest(f *testing.F) {
	f.Add([]byte(fuzzBaseRequest))
	f.Add([]byte(`{"request":` + fuzzBaseRequest + `,"passwords":{"backupSqlInstance":"p'w\"d"}}`))
	f.Add([]byte(`{"schemaVersion":1,"database":"x]; DROP DATABASE mgc; --","backupSqlInstance":{"server":""}}`))
	f.Add([]byte(`{"schemaVersion":1,"backupSqlInstance":{"server":"a","password":"hunter2"}}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte(`[1,2`))
	f.Add([]byte(`{"schemaVersion":1e400}`))
	f.Add([]byte(`{"poolFqdn":"\u2018x\u2019","runDirectory":"C:\\runs\\$(whoami)"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		getenv := func(k string) string {
			if k == "PCF_PW" {
				return "S3cret-Fuzz!"
			}
			return ""
		}
		req, pw, err := Load(data, nil, getenv)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			var ve *ValidationError
			if errors.As(err, &ve) {
				if len(ve.Errors) == 0 {
					t.Fatal("a validation error with no entries")
				}
				for _, fe := range ve.Errors {
					if fe.Field == "" || fe.Message == "" || fe.Fix == "" {
						t.Fatalf("incomplete field error %+v", fe)
					}
				}
			}
			return
		}
		if req == nil || pw == nil {
			t.Fatal("accepted without a request or passwords")
		}
		if errs := req.Validate("linux"); len(errs) != 0 {
			t.Fatalf("accepted, but Validate finds %+v", errs)
		}
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("marshal the accepted request: %v", err)
		}
		for _, p := range pw {
			if len(p) >= 8 && strings.Contains(string(b), p) {
				t.Fatal("a password inside the request model")
			}
		}
	})
}

// FuzzDecodePasswords: the passwords object never panics the decoder.
func FuzzDecodePasswords(f *testing.F) {
	f.Add([]byte(`{"backupSqlInstance":"x"}`))
	f.Add([]byte(`{"backupSqlInstance":1}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"a":"` + strings.Repeat("z", 1000) + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePasswords(strings.NewReader(string(data)))
		if err != nil && err.Error() == "" {
			t.Fatal("an error without a message")
		}
		if err != nil && p != nil {
			t.Fatal("passwords returned with an error")
		}
	})
}

// FuzzRedactJSON: redacting a JSON document with any secret leaves valid JSON with the
// same keys, and the secret (when at least 4 characters) is not in any value.
func FuzzRedactJSON(f *testing.F) {
	f.Add(`{"exitCode":0,"outcome":"succeeded","msg":"login sa:pw@h failed"}`, "e")
	f.Add(`{"a":["x","password=x;"],"b":{"c":"\u00e9\u2018"}}`, "x")
	f.Add(`{"k":"a\"b\\c"}`, `"b\`)
	f.Add(`{"k":"Secret123 and Secret123"}`, "Secret123")
	f.Fuzz(func(t *testing.T, doc, secret string) {
		if !json.Valid([]byte(doc)) {
			return
		}
		out := NewRedactor(secret).RedactJSON([]byte(doc))
		if !json.Valid(out) {
			t.Fatalf("redacted JSON is invalid: %s", out)
		}
		var before, after any
		_ = json.Unmarshal([]byte(doc), &before)
		_ = json.Unmarshal(out, &after)
		if !sameShape(before, after) {
			t.Fatalf("keys or structure changed:\n%s\n%s", doc, out)
		}
	})
}

// sameShape reports whether a and b have the same keys, array lengths and non-string
// values.
func sameShape(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(bm) != len(a) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !sameShape(v, w) {
				return false
			}
		}
		return true
	case []any:
		ba, ok := b.([]any)
		if !ok || len(ba) != len(a) {
			return false
		}
		for i := range a {
			if !sameShape(a[i], ba[i]) {
				return false
			}
		}
		return true
	case string:
		_, ok := b.(string)
		return ok
	default:
		return a == b
	}
}
