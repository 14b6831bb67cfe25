package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// lyncModuleEnv overrides where the lab finds LyncSim.psd1.
const lyncModuleEnv = "PCFAILOVER_LYNCSIM_MODULE"

// findLyncModule returns the absolute path of LyncSim.psd1: the explicit path, then
// $PCFAILOVER_LYNCSIM_MODULE, then module/LyncSim/LyncSim.psd1 (or LyncSim/LyncSim.psd1)
// in the directories above this program and above the working directory. "" when none
// exists.
func findLyncModule(explicit string) (string, error) {
	if explicit == "" {
		explicit = os.Getenv(lyncModuleEnv)
	}
	if explicit != "" {
		abs, err := filepath.Abs(explicit)
		if err != nil {
			return "", fmt.Errorf("lab: LyncSim module %s: %w", explicit, err)
		}
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			abs = filepath.Join(abs, "LyncSim.psd1")
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("lab: LyncSim module: %w", err)
		}
		return abs, nil
	}
	var starts []string
	if exe, err := os.Executable(); err == nil {
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		starts = append(starts, filepath.Dir(exe))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, start := range starts {
		for d := start; ; d = filepath.Dir(d) {
			for _, rel := range []string{filepath.Join("module", "LyncSim", "LyncSim.psd1"), filepath.Join("LyncSim", "LyncSim.psd1")} {
				p := filepath.Join(d, rel)
				if _, err := os.Stat(p); err == nil {
					return p, nil
				} else if !errors.Is(err, fs.ErrNotExist) {
					continue
				}
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", nil
}

// serverDataCenters maps every Persistent Chat server of the scenario to its data center.
func serverDataCenters(s Scenario) map[string]string {
	m := map[string]string{}
	dcs := make([]string, 0, len(s.Lync.DataCenters))
	for dc := range s.Lync.DataCenters {
		dcs = append(dcs, dc)
	}
	sort.Strings(dcs)
	for _, dc := range dcs {
		for _, srv := range s.Lync.DataCenters[dc] {
			m[srv] = dc
		}
	}
	return m
}
