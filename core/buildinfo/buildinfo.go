// Package buildinfo reports which pcfailover build is running.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// DevVersion is the version of a binary built without the release stamp (go test, go run,
// a plain go build).
const DevVersion = "dev"

// Version is the release version. Its one source is ModuleVersion in
// module/PCFailover/PCFailover.psd1: scripts/build.sh and scripts/release.sh stamp it with
// -ldflags "-X pcfailover/core/buildinfo.Version=1.2.3". Unstamped builds say DevVersion.
var Version = DevVersion

// Info describes the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Modified  bool   `json:"modified"`
	GoVersion string `json:"goVersion"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// Read returns the build information; the commit comes from the VCS stamp Go embeds
// when building inside a git checkout ("unknown" otherwise).
func Read() Info {
	info := Info{Version: Version, Commit: "unknown", GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	return info
}
