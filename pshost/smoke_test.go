package pshost

import "testing"

func TestSmoke(t *testing.T) {
	h := newTestHost(t, nil)
	info, err := h.Ready(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("info %+v", info)
	res := mustInvoke(t, h, Command{Name: "Get-PshNested"})
	for _, o := range res.Output {
		t.Logf("out %s", o)
	}
	res = mustInvoke(t, h, Command{Name: "Write-PshStreams", Parameters: []Parameter{{"Verbose", Switch(true)}}})
	t.Logf("%+v", res)
}
