// Command testsummary reads `go test -json` output on stdin, prints the output of every
// failed test (and of packages that failed without a failed test, such as build errors)
// to stderr, and prints "PASSED FAILED SKIPPED" counts of tests on stdout for
// scripts/test.sh.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// maxLines bounds what is printed for one failed test.
const maxLines = 120

func main() {
	passed, failed, skipped, err := summarize(os.Stdin, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	fmt.Println(passed, failed, skipped)
}

func summarize(in io.Reader, report io.Writer) (passed, failed, skipped int, err error) {
	output := map[string][]string{} // package/test -> output lines
	var failedKeys []string
	pkgFailed := map[string]bool{}
	pkgHasFailedTest := map[string]bool{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if json.Unmarshal(line, &ev) != nil {
			// go test prints build failures as plain text.
			fmt.Fprintln(report, string(line))
			continue
		}
		key := ev.Package + " " + ev.Test
		switch ev.Action {
		case "output":
			if len(output[key]) < maxLines {
				output[key] = append(output[key], strings.TrimRight(ev.Output, "\n"))
			}
		case "pass":
			if ev.Test != "" {
				passed++
			}
			delete(output, key)
		case "skip":
			if ev.Test != "" {
				skipped++
			}
			delete(output, key)
		case "fail":
			if ev.Test != "" {
				failed++
				pkgHasFailedTest[ev.Package] = true
			} else {
				pkgFailed[ev.Package] = true
			}
			failedKeys = append(failedKeys, key)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, 0, err
	}
	for _, key := range failedKeys {
		pkg, test, _ := strings.Cut(key, " ")
		if test == "" && pkgHasFailedTest[pkg] {
			continue
		}
		if test == "" {
			failed++ // a package that failed without a failed test (build error, panic in init, timeout)
		}
		fmt.Fprintf(report, "=== FAIL %s %s\n", pkg, test)
		for _, l := range output[key] {
			fmt.Fprintln(report, l)
		}
	}
	return passed, failed, skipped, nil
}
