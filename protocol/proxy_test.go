package protocol

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// v2 builds a version 2 header: command, family byte, address block
// and TLVs.
func v2(cmd, fam byte, block ...[]byte) []byte {
	body := bytes.Join(block, nil)
	b := append([]byte{}, proxyV2Sig...)
	b = append(b, 0x20|cmd, fam, 0, 0)
	binary.BigEndian.PutUint16(b[14:], uint16(len(body)))
	return append(b, body...)
}

func inet4(src, dst string, sport, dport uint16) []byte {
	var b []byte
	b = append(b, netip.MustParseAddr(src).AsSlice()...)
	b = append(b, netip.MustParseAddr(dst).AsSlice()...)
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(b, sport), dport)
}

func tlv(typ byte, v string) []byte {
	return append(binary.BigEndian.AppendUint16([]byte{typ}, uint16(len(v))), v...)
}

// The examples of HAProxy's proxy-protocol.txt (§2.1 for v1) and
// headers built to its §2.2 layout for v2.
func TestReadProxyHeader(t *testing.T) {
	unixBlock := make([]byte, 216)
	copy(unixBlock, "/run/client.sock")
	copy(unixBlock[108:], "/run/imap.sock")
	tests := []struct {
		name, in string
		local    bool
		src, dst string
	}{
		{"v1 tcp4", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", false, "192.168.0.1:56324", "192.168.0.11:443"},
		{"v1 tcp6", "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
			false, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"},
		{"v1 unknown", "PROXY UNKNOWN\r\n", true, "", ""},
		{"v1 unknown with addresses", "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n", true, "", ""},
		{"v2 inet", string(v2(1, v2Inet, inet4("10.1.2.3", "10.0.0.1", 40000, 993))), false, "10.1.2.3:40000", "10.0.0.1:993"},
		{"v2 inet with TLVs", string(v2(1, v2Inet, inet4("10.1.2.3", "10.0.0.1", 40000, 993),
			tlv(0x01, "imap"), tlv(0x05, "unique-id"), tlv(0x04, ""))), false, "10.1.2.3:40000", "10.0.0.1:993"},
		{"v2 inet6", string(v2(1, v2Inet6, netip.MustParseAddr("2001:db8::1").AsSlice(), netip.MustParseAddr("2001:db8::2").AsSlice(),
			[]byte{0x9c, 0x40, 0x00, 0x8f})), false, "[2001:db8::1]:40000", "[2001:db8::2]:143"},
		{"v2 local", string(v2(0, v2Inet, inet4("10.1.2.3", "10.0.0.1", 1, 2))), true, "", ""},
		{"v2 local unspec empty", string(v2(0, v2Unspec)), true, "", ""},
		{"v2 unspec", string(v2(1, v2Unspec, []byte("whatever"))), true, "", ""},
		{"v2 unix", string(v2(1, v2Unix, unixBlock)), false, "/run/client.sock", "/run/imap.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.in + "a1 CAPABILITY\r\n"))
			h, err := ReadProxyHeader(r)
			if err != nil {
				t.Fatal(err)
			}
			if h.Local != tt.local {
				t.Errorf("Local = %v, want %v", h.Local, tt.local)
			}
			if !tt.local && (h.Src.String() != tt.src || h.Dst.String() != tt.dst) {
				t.Errorf("src, dst = %v, %v, want %s, %s", h.Src, h.Dst, tt.src, tt.dst)
			}
			rest, _ := io.ReadAll(r)
			if string(rest) != "a1 CAPABILITY\r\n" {
				t.Errorf("after the header: %q", rest)
			}
		})
	}
}

func TestReadProxyHeaderRefuses(t *testing.T) {
	tests := map[string]string{
		"no signature":    "a1 LOGIN x y\r\n",
		"v1 no CRLF":      "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
		"v1 too long":     "PROXY UNKNOWN " + strings.Repeat("x", 100) + "\r\n",
		"v1 family":       "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"v1 v6 in tcp4":   "PROXY TCP4 ::1 ::1 1 2\r\n",
		"v1 v4 in tcp6":   "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n",
		"v1 port range":   "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",
		"v1 leading zero": "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
		"v1 two spaces":   "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",
		"v1 fields":       "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
		"v1 cut":          "PROXY TCP4 1.2.3.4",
		"v2 version":      string(append(append([]byte{}, proxyV2Sig...), 0x11, v2Inet, 0, 0)),
		"v2 command":      string(v2(2, v2Inet, inet4("1.2.3.4", "5.6.7.8", 1, 2))),
		"v2 dgram":        string(v2(1, 0x12, inet4("1.2.3.4", "5.6.7.8", 1, 2))),
		"v2 short block":  string(v2(1, v2Inet6, inet4("1.2.3.4", "5.6.7.8", 1, 2))),
		"v2 bad TLV":      string(v2(1, v2Inet, inet4("1.2.3.4", "5.6.7.8", 1, 2), []byte{0x01, 0x00, 0x09, 'x'})),
		"v2 TLV stub":     string(v2(1, v2Inet, inet4("1.2.3.4", "5.6.7.8", 1, 2), []byte{0x01, 0x00})),
		"v2 too long":     string(v2(1, v2Inet, inet4("1.2.3.4", "5.6.7.8", 1, 2), tlv(0x01, strings.Repeat("x", MaxProxyV2)))),
		"v2 cut":          string(v2(1, v2Inet, inet4("1.2.3.4", "5.6.7.8", 1, 2))[:20]),
		"v2 signature":    "\r\n\r\nQUIT\r\n\x00\x00\x00\x00\x00\x00\x00",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ReadProxyHeader(bufio.NewReader(strings.NewReader(in)))
			if !errors.Is(err, ErrProxyHeader) {
				t.Fatalf("err = %v, want ErrProxyHeader", err)
			}
		})
	}
}

// listenProxy is a ProxyListener on loopback trusting trusted.
func listenProxy(t *testing.T, trusted string, timeout time.Duration) *ProxyListener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nets, err := ParseProxyFrom(trusted)
	if err != nil {
		t.Fatal(err)
	}
	pl := NewProxyListener(l, nets, timeout, nil)
	t.Cleanup(func() { pl.Close() })
	return pl
}

// echoFirst accepts one connection and reports its remote address and
// first line, or the read error.
func echoFirst(pl *ProxyListener) chan string {
	out := make(chan string, 1)
	go func() {
		c, err := pl.Accept()
		if err != nil {
			out <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			out <- c.RemoteAddr().String() + " error: " + err.Error()
			return
		}
		out <- c.RemoteAddr().String() + " " + line
	}()
	return out
}

func dialSend(t *testing.T, pl *ProxyListener, data string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", pl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, data); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestProxyListenerTrusted(t *testing.T) {
	pl := listenProxy(t, "127.0.0.0/8", 0)
	got := echoFirst(pl)
	dialSend(t, pl, "PROXY TCP4 203.0.113.7 127.0.0.1 4242 143\r\na1 NOOP\r\n")
	if g := <-got; g != "203.0.113.7:4242 a1 NOOP\r\n" {
		t.Fatalf("got %q", g)
	}
	got = echoFirst(pl)
	dialSend(t, pl, string(v2(1, v2Inet, inet4("198.51.100.9", "127.0.0.1", 5353, 143), tlv(0x05, "id")))+"a2 NOOP\r\n")
	if g := <-got; g != "198.51.100.9:5353 a2 NOOP\r\n" {
		t.Fatalf("got %q", g)
	}
	// LOCAL (a health check) keeps the connection's own address.
	got = echoFirst(pl)
	c := dialSend(t, pl, string(v2(0, v2Unspec))+"a3 NOOP\r\n")
	if g, want := <-got, c.LocalAddr().String()+" a3 NOOP\r\n"; g != want {
		t.Fatalf("got %q, want %q", g, want)
	}
}

// A trusted source without a header, or with a bad one, is closed; the
// next connection is still served.
func TestProxyListenerTrustedNoHeader(t *testing.T) {
	pl := listenProxy(t, "127.0.0.1", 200*time.Millisecond)
	got := echoFirst(pl)
	silent := dialSend(t, pl, "")
	bad := dialSend(t, pl, "a1 LOGIN fred secret\r\n")
	for _, c := range []net.Conn{silent, bad} {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 1)); err == nil || n != 0 {
			t.Fatalf("read from a refused connection: %d, %v", n, err)
		}
	}
	dialSend(t, pl, "PROXY TCP4 192.0.2.1 127.0.0.1 1000 143\r\nok\n")
	if g := <-got; g != "192.0.2.1:1000 ok\n" {
		t.Fatalf("got %q", g)
	}
}

// An untrusted source is served with its own address, unless it sends a
// header.
func TestProxyListenerUntrusted(t *testing.T) {
	pl := listenProxy(t, "10.0.0.0/8", 0)
	got := echoFirst(pl)
	c := dialSend(t, pl, "PROXY TCQ\r\n") // no header opens so
	if g, want := <-got, c.LocalAddr().String()+" PROXY TCQ\r\n"; g != want {
		t.Fatalf("got %q, want %q", g, want)
	}
	got = echoFirst(pl)
	c = dialSend(t, pl, "P")
	time.Sleep(50 * time.Millisecond) // a prefix in its own segment is held
	io.WriteString(c, "R1 NOOP\r\n")
	if g, want := <-got, c.LocalAddr().String()+" PR1 NOOP\r\n"; g != want {
		t.Fatalf("got %q, want %q", g, want)
	}
	for _, h := range []string{"PROXY TCP4 192.0.2.1 127.0.0.1 1000 143\r\nx\n", string(v2(0, v2Unspec)) + "x\n"} {
		got = echoFirst(pl)
		dialSend(t, pl, h)
		if g := <-got; !strings.HasSuffix(g, ErrUntrustedProxy.Error()) {
			t.Fatalf("untrusted header: got %q", g)
		}
	}
}

func TestParseProxyFrom(t *testing.T) {
	p, err := ParseProxyFrom("127.0.0.1/32, ::1/128,10.1.2.3/8,192.0.2.4")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmtPrefixes(p); got != "127.0.0.1/32 ::1/128 10.0.0.0/8 192.0.2.4/32" {
		t.Fatalf("got %s", got)
	}
	for _, bad := range []string{"", ",", "localhost", "10.0.0.0/33"} {
		if _, err := ParseProxyFrom(bad); err == nil {
			t.Errorf("ParseProxyFrom(%q) accepted", bad)
		}
	}
}

func fmtPrefixes(p []netip.Prefix) string {
	var s []string
	for _, x := range p {
		s = append(s, x.String())
	}
	return strings.Join(s, " ")
}

func FuzzProxyHeader(f *testing.F) {
	f.Add([]byte("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"))
	f.Add([]byte("PROXY TCP6 ::1 ::2 1 2\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add(v2(1, v2Inet, inet4("10.1.2.3", "10.0.0.1", 40000, 993), tlv(1, "x")))
	f.Add(v2(1, v2Unix, make([]byte, 216)))
	f.Add(v2(0, v2Unspec))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := bytes.NewReader(data)
		r := bufio.NewReader(src)
		h, err := ReadProxyHeader(r)
		if err != nil {
			return
		}
		used := len(data) - src.Len() - r.Buffered()
		if h.Version == 1 && used > MaxProxyV1 || h.Version == 2 && used > 16+MaxProxyV2 {
			t.Fatalf("v%d header of %d bytes", h.Version, used)
		}
		if !h.Local && (h.Src == nil || h.Dst == nil) {
			t.Fatalf("proxied header without addresses: %+v", h)
		}
	})
}
