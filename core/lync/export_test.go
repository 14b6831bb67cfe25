package lync

import "testing"

// Helpers of the internal tests, for the external ones (package lync_test: the lab tests,
// which import core/lab, which imports this package).

// FindPwsh returns the pwsh the tests use ("" when there is none).
func FindPwsh() string { return findPwsh() }

// SimDir is the package tests' scratch directory.
func SimDir() string { return sim.dir }

// WriteJSON writes v to path as indented JSON.
func WriteJSON(t *testing.T, path string, v any) { writeJSON(t, path, v) }

// SimState is the part of a LyncSim state file the tests check.
type SimState = simState

// Mutating counts the Set-*/Install-*/Uninstall-* calls of the call log.
func (st simState) Mutating() int { return st.mutating() }
