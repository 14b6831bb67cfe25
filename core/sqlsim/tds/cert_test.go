package tds

import (
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"runtime"
	"testing"
)

func TestGenerateCertificate(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath, cfg, err := GenerateCertificate([]string{"sqlsim.example", "10.1.2.3", ""}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Certificates) != 1 {
		t.Fatalf("%d certificates in the config", len(cfg.Certificates))
	}
	raw, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s is not a PEM certificate", certPath)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	for _, host := range []string{"127.0.0.1", "localhost", "::1", "sqlsim.example", "10.1.2.3"} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: host, Roots: roots}); err != nil {
			t.Errorf("verify for %s: %v", host, err)
		}
	}
	if _, err := cert.Verify(x509.VerifyOptions{DNSName: "other.example", Roots: roots}); err == nil {
		t.Error("certificate valid for a host it does not name")
	}
	if ip := net.ParseIP("10.1.2.3"); !containsIP(cert.IPAddresses, ip) {
		t.Errorf("IP SANs %v lack %v", cert.IPAddresses, ip)
	}
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, _, _, err := GenerateCertificate(nil, dir+"/missing/dir"); err == nil {
		t.Error("GenerateCertificate into a missing directory succeeded")
	}
}

func containsIP(ips []net.IP, ip net.IP) bool {
	for _, x := range ips {
		if x.Equal(ip) {
			return true
		}
	}
	return false
}
