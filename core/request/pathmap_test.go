package request

import (
	"errors"
	"strings"
	"testing"
)

// withPathMap returns validSQL with a pathMap array (raw JSON) added.
func withPathMap(arr string) string {
	return strings.Replace(validSQL, `"runDirectory"`, `"pathMap":`+arr+`,"runDirectory"`, 1)
}

func TestPathMapValid(t *testing.T) {
	doc := withPathMap(`[{"from":"E:\\LSCopy","to":"/mnt/lscopy"},{"from":"\\\\SQLPCPRI\\LogShip","to":"/mnt/logship"},{"from":"e:\\","to":"/mnt/e"}]`)
	req, _, err := Load([]byte(doc), nil, env(map[string]string{"PCF_PW": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(req.PathMap) != 3 || req.PathMap[1].From != `\\SQLPCPRI\LogShip` || req.PathMap[1].To != "/mnt/logship" {
		t.Fatalf("pathMap not decoded: %+v", req.PathMap)
	}
}

func TestPathMapInvalid(t *testing.T) {
	cases := []struct {
		name, arr, field, msg string
	}{
		{"from POSIX", `[{"from":"/srv/x","to":"/mnt/x"}]`, "pathMap[0].from", "not a drive or UNC"},
		{"from relative", `[{"from":"LSCopy","to":"/mnt/x"}]`, "pathMap[0].from", "not an absolute path"},
		{"from drive-relative", `[{"from":"E:LSCopy","to":"/mnt/x"}]`, "pathMap[0].from", "relative to the current folder"},
		{"from dotdot", `[{"from":"E:\\LSCopy\\..\\Windows","to":"/mnt/x"}]`, "pathMap[0].from", `".."`},
		{"from long path", `[{"from":"\\\\?\\E:\\LSCopy","to":"/mnt/x"}]`, "pathMap[0].from", "not supported"},
		{"from share without name", `[{"from":"\\\\SQLPCBAK","to":"/mnt/x"}]`, "pathMap[0].from", "not a UNC path"},
		{"from bad char", `[{"from":"E:\\LS|Copy","to":"/mnt/x"}]`, "pathMap[0].from", "does not allow"},
		{"to relative", `[{"from":"E:\\","to":"mnt/x"}]`, "pathMap[0].to", "not an absolute path"},
		{"to windows path on linux", `[{"from":"E:\\","to":"\\\\SQLPCBAK\\E$"}]`, "pathMap[0].to", "not an absolute path of this machine"},
		{"to dotdot", `[{"from":"E:\\","to":"/mnt/../etc"}]`, "pathMap[0].to", `".."`},
		{"duplicate from", `[{"from":"E:\\LSCopy","to":"/a"},{"from":"e:/lscopy/","to":"/b"}]`, "pathMap[1].from", "already mapped by pathMap[0]"},
		{"missing to", `[{"from":"E:\\"}]`, "pathMap[0].to", "required"},
		{"unknown key", `[{"from":"E:\\","to":"/a","To":"/b"}]`, "pathMap.0.To", "not a known field"},
		{"not an array", `{"from":"E:\\","to":"/a"}`, "pathMap", "must be array"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Load([]byte(withPathMap(tc.arr)), nil, env(map[string]string{"PCF_PW": "x"}))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want ValidationError, got %v", err)
			}
			found := false
			for _, fe := range ve.Errors {
				if fe.Field == tc.field && strings.Contains(fe.Message, tc.msg) {
					found = true
					if fe.Fix == "" {
						t.Errorf("no fix: %+v", fe)
					}
				}
			}
			if !found {
				t.Fatalf("no error %s containing %q; got %+v", tc.field, tc.msg, ve.Errors)
			}
		})
	}
}

func TestPathMapValidateWindows(t *testing.T) {
	r := &Request{PathMap: []PathMapEntry{
		{From: `E:\LSCopy`, To: `\\SQLPCBAK\E$\LSCopy`},
		{From: `\\SQLPCPRI\LogShip`, To: `L:\LogShip`},
		{From: `D:\`, To: `/mnt/d`},
	}}
	errs := r.validatePathMap("windows")
	if len(errs) != 1 || errs[0].Field != "pathMap[2].to" || !strings.Contains(errs[0].Fix, `\\SQLPCBAK\E$\LSCopy`) {
		t.Fatalf("want one error for pathMap[2].to with a Windows example, got %+v", errs)
	}
}

func TestSchemaPathMap(t *testing.T) {
	ok := withPathMap(`[{"from":"E:\\LSCopy","to":"/mnt/lscopy"}]`)
	if errs := ValidateRaw([]byte(ok)); len(errs) != 0 {
		t.Fatalf("schema rejects a valid pathMap: %+v", errs)
	}
	for _, bad := range []string{`[{"from":"E:\\"}]`, `[{"from":"","to":"/a"}]`, `[{"from":1,"to":"/a"}]`, `"E:\\=/a"`} {
		if errs := ValidateRaw([]byte(withPathMap(bad))); len(errs) == 0 {
			t.Errorf("schema accepts pathMap %s", bad)
		}
	}
	if !strings.Contains(string(Schema()), `"pathMap"`) {
		t.Fatal("schema does not describe pathMap")
	}
}

func TestShareAndCopyDestinationAreSQLPaths(t *testing.T) {
	doc := strings.Replace(validSQL, `"runDirectory"`, `"share":"\\\\SQLPCPRI\\LogShip","copyDestination":"E:\\LSCopy","runDirectory"`, 1)
	if _, _, err := Load([]byte(doc), nil, env(map[string]string{"PCF_PW": "x"})); err != nil {
		t.Fatalf("Windows share/copyDestination rejected on this OS: %v", err)
	}
	bad := strings.Replace(validSQL, `"runDirectory"`, `"copyDestination":"E:\\LSCopy\\..\\x","runDirectory"`, 1)
	_, _, err := Load([]byte(bad), nil, env(map[string]string{"PCF_PW": "x"}))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Field != "copyDestination" {
		t.Fatalf("want a copyDestination error, got %v", err)
	}
}
