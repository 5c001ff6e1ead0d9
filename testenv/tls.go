package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A Cert is a self-signed test certificate for "localhost", 127.0.0.1
// and ::1 (client programs check the name, see spec/clients.md).
type Cert struct {
	Server   *tls.Config // for the server under test
	Client   *tls.Config // trusts only this certificate
	CertFile string      // PEM certificate, for -t and for clients' CA options
	KeyFile  string      // PEM private key, for -k
}

// NewCert makes a Cert whose files live in a temporary directory.
func NewCert(t testing.TB) *Cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := &Cert{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem")}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	if err := os.WriteFile(c.CertFile, certPEM, 0644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.KeyFile, keyPEM, 0600); err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c.Server = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12,
		SessionTicketsDisabled: true} // as protocol.LoadTLS
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	c.Client = &tls.Config{RootCAs: pool, ServerName: "localhost"}
	return c
}

// WriteKeys writes <root>/keys/<user>/secret for each user (keyfs
// layout, private modes) and returns the keys directory.
func WriteKeys(t testing.TB, root string, secrets map[string]string) string {
	t.Helper()
	dir := filepath.Join(root, "keys")
	for user, secret := range secrets {
		ud := filepath.Join(dir, user)
		if err := os.MkdirAll(ud, 0700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ud, "secret"), []byte(secret), 0600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0700); err != nil {
		t.Fatal(err)
	}
	return dir
}
