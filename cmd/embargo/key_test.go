package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/keyring"
)

// TestKeyRotate seals a value, rotates the instance key, and checks that
// the value still opens with the new key and no longer with the old one.
func TestKeyRotate(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	c, _, err := parseConfig(envFrom(nil), "test", []string{"--data", data}, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, kr, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := kr.Seal([]byte("未公开漏洞"), []byte("t"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	oldKey, _, _ := keyring.LoadKey(c.KeyFile)

	out, err := runCLI(t, "key", "rotate", "--data", data)
	if err != nil || !strings.Contains(out, "rotated") {
		t.Fatalf("key rotate = %q, %v", out, err)
	}
	newKey, _, err := keyring.LoadKey(c.KeyFile)
	if err != nil || newKey.ID() == oldKey.ID() {
		t.Fatalf("after rotation the key file holds %v (%v), want a new key", newKey, err)
	}
	if _, err := os.Stat(c.KeyFile + ".old"); err != nil {
		t.Errorf("old key not kept aside: %v", err)
	}
	db, kr, err = openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := kr.Unseal(sealed, []byte("t")); err != nil || string(got) != "未公开漏洞" {
		t.Fatalf("after rotation Unseal = %q, %v", got, err)
	}
	if _, err := keyring.Open(ctx, oldKey, db); err == nil {
		t.Error("the old key still opens the keyring")
	}
}

// TestInterruptedRotationIsFinished simulates a crash after the database
// was re-wrapped but before the key files were swapped.
func TestInterruptedRotationIsFinished(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	c, _, _ := parseConfig(envFrom(nil), "test", []string{"--data", data}, nil)
	db, _, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	old, _, _ := keyring.LoadKey(c.KeyFile)
	next := keyring.NewKey()
	if err := keyring.WriteKey(c.KeyFile+".new", next); err != nil {
		t.Fatal(err)
	}
	if err := rewrapAll(ctx, db, old, next); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, _, err = openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatalf("open after interrupted rotation: %v", err)
	}
	db.Close()
	if k, _, _ := keyring.LoadKey(c.KeyFile); k == nil || k.ID() != next.ID() {
		t.Errorf("key file holds %v, want the new key %s", k, next.ID())
	}
	if _, err := os.Stat(filepath.Join(data, "instance.key.new")); !os.IsNotExist(err) {
		t.Errorf("instance.key.new still present: %v", err)
	}
}
