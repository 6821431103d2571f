package oms_test

import (
	"bytes"
	"context"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// firstGoBlock returns the first ```go block of markdown, without its
// fences.
func firstGoBlock(t *testing.T, markdown string) string {
	t.Helper()
	const open = "```go\n"
	start := strings.Index(markdown, open)
	require.GreaterOrEqual(t, start, 0, "README.md has no ```go block")
	body := markdown[start+len(open):]
	end := strings.Index(body, "\n```\n")
	require.GreaterOrEqual(t, end, 0, "README.md's first ```go block is not closed")
	return body[:end+1]
}

// wantOutput returns the lines of the block's "// Output:" comment, as Go
// examples write them.
func wantOutput(t *testing.T, src string) string {
	t.Helper()
	_, after, ok := strings.Cut(src, "\t// Output:\n")
	require.True(t, ok, "README.md's first ```go block has no // Output: comment")
	var want strings.Builder
	for _, l := range strings.Split(after, "\n") {
		text, ok := strings.CutPrefix(strings.TrimSpace(l), "// ")
		if !ok {
			break
		}
		want.WriteString(text + "\n")
	}
	return want.String()
}

// goTool returns the go command of the toolchain running the test.
func goTool(t *testing.T) string {
	t.Helper()
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to run the README's sample")
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestREADMESampleRuns compiles and runs the README's first code sample as
// written, as a program of its own against this module, and checks that it
// prints what its // Output: comment says.
func TestREADMESampleRuns(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	src := firstGoBlock(t, string(raw))
	require.True(t, strings.HasPrefix(src, "package main\n"), "the sample is a whole program")
	want := wantOutput(t, src)
	formatted, err := format.Source([]byte(src))
	require.NoError(t, err)
	require.Equal(t, string(formatted), src, "the sample is gofmt-formatted")

	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Run from the module root, so that the sample's imports of
	// github.com/ordersmith/oms resolve to this checkout.
	cmd := exec.CommandContext(ctx, goTool(t), "run", file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "go run README.md's sample:\n%s", stderr.String())
	require.Equal(t, want, stdout.String(), "the sample's output differs from its // Output: comment")
}
