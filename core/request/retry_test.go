package request

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func withRetry(retry string) string {
	return strings.Replace(validSQL, `"options":{"acceptDataLoss":false}`, `"options":{"acceptDataLoss":false,"retry":`+retry+`}`, 1)
}

func TestRetryDefaultsAndValues(t *testing.T) {
	req, _, err := Load([]byte(validSQL), nil, env(map[string]string{"PCF_PW": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if req.Options.Retry.Attempts != 5 || req.Options.Retry.MaxElapsedDuration() != 2*time.Minute {
		t.Fatalf("retry defaults %+v", req.Options.Retry)
	}
	req, _, err = Load([]byte(withRetry(`{"attempts":1,"maxElapsed":"90s"}`)), nil, env(map[string]string{"PCF_PW": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if req.Options.Retry.Attempts != 1 || req.Options.Retry.MaxElapsedDuration() != 90*time.Second {
		t.Fatalf("retry %+v", req.Options.Retry)
	}
	if errs := ValidateRaw([]byte(withRetry(`{"attempts":3,"maxElapsed":"1m30s"}`))); len(errs) != 0 {
		t.Fatalf("schema rejects a valid retry: %+v", errs)
	}
}

func TestRetryInvalid(t *testing.T) {
	for _, tc := range []struct{ retry, field string }{
		{`{"attempts":51}`, "options.retry.attempts"},
		{`{"attempts":-1}`, "options.retry.attempts"},
		{`{"maxElapsed":"2 minutes"}`, "options.retry.maxElapsed"},
		{`{"maxElapsed":"2h"}`, "options.retry.maxElapsed"},
		{`{"maxElapsed":"10ms"}`, "options.retry.maxElapsed"},
		{`{"tries":3}`, "options.retry.tries"},
	} {
		_, _, err := Load([]byte(withRetry(tc.retry)), nil, env(map[string]string{"PCF_PW": "x"}))
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%s: want ValidationError, got %v", tc.retry, err)
		}
		found := false
		for _, fe := range ve.Errors {
			if fe.Field == tc.field && fe.Fix != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no error naming %s with a fix: %+v", tc.retry, tc.field, ve.Errors)
		}
	}
}
