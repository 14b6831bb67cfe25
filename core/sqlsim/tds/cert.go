package tds

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// GenerateCertificate writes a self-signed ECDSA P-256 server certificate for 127.0.0.1,
// ::1 and localhost plus hosts (DNS names or IP addresses) to dir as sqlsim-cert.pem and
// sqlsim-key.pem (key file mode 0600), and returns their paths and a server tls.Config
// using it. go-mssqldb verifies it with `encrypt=true;certificate=<certPEMPath>` (the
// msdsn package loads a .pem file as the only root CA, and checks the host name of the
// DSN against the certificate's SANs).
func GenerateCertificate(hosts []string, dir string) (certPEMPath, keyPEMPath string, cfg *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", nil, fmt.Errorf("generate certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", "", nil, fmt.Errorf("generate certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"pcfailover SQL Server simulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", nil, fmt.Errorf("create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", nil, fmt.Errorf("encode certificate key: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	certPEMPath = filepath.Join(dir, "sqlsim-cert.pem")
	keyPEMPath = filepath.Join(dir, "sqlsim-key.pem")
	if err := os.WriteFile(certPEMPath, certPEM, 0o644); err != nil {
		return "", "", nil, fmt.Errorf("write certificate %s: %w", certPEMPath, err)
	}
	if err := os.WriteFile(keyPEMPath, keyPEM, 0o600); err != nil {
		return "", "", nil, fmt.Errorf("write certificate key %s: %w", keyPEMPath, err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return "", "", nil, fmt.Errorf("load certificate %s: %w", certPEMPath, err)
	}
	return certPEMPath, keyPEMPath, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}
