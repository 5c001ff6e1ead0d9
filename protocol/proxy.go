package protocol

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2):
// a load balancer that relays a TCP connection first sends a header
// naming the client's address, so that the server behind it can log,
// ratify, throttle and count by the client rather than by the balancer.

// Bounds of a PROXY header, checked before anything is held.
const (
	// MaxProxyV1 is the longest version 1 line, CRLF included
	// (proxy-protocol.txt §2.1: 107 bytes for "PROXY TCP6" and two
	// full IPv6 addresses).
	MaxProxyV1 = 107
	// MaxProxyV2 bounds the address block and TLVs of a version 2
	// header (its length field allows 65,535). HAProxy's largest
	// headers (SSL details, a unique id, a certificate's CN) are a few
	// hundred bytes; anything longer is refused.
	MaxProxyV2 = 2048
)

// proxyV2Sig is the 12 bytes that open a version 2 header
// (proxy-protocol.txt §2.2).
var proxyV2Sig = []byte("\r\n\r\n\x00\r\nQUIT\n")

// ProxyHeader is what a PROXY header says. When Local is set (a v2
// LOCAL command, a v1 UNKNOWN line, a v2 UNSPEC family) the connection
// carries no client address and the connection's own endpoints stand.
type ProxyHeader struct {
	Version  int
	Local    bool
	Src, Dst net.Addr // *net.TCPAddr, or *net.UnixAddr for a v2 AF_UNIX header
}

// ErrProxyHeader is wrapped by every refusal of a malformed header.
var ErrProxyHeader = errors.New("bad PROXY header")

func proxyErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProxyHeader, fmt.Sprintf(format, args...))
}

// ReadProxyHeader reads one PROXY header, version 1 or 2, from r and
// nothing after it. r should be at least 128 bytes big (bufio's
// default is); a v1 line longer than MaxProxyV1 or a v2 block longer
// than MaxProxyV2 is refused before it is read whole.
func ReadProxyHeader(r *bufio.Reader) (ProxyHeader, error) {
	first, err := r.Peek(1)
	if err != nil {
		return ProxyHeader{}, err
	}
	switch first[0] {
	case 'P':
		return readProxyV1(r)
	case '\r':
		return readProxyV2(r)
	}
	return ProxyHeader{}, proxyErr("no PROXY signature")
}

// readProxyV1 reads "PROXY TCP4|TCP6 src dst sport dport\r\n" or
// "PROXY UNKNOWN ...\r\n" (proxy-protocol.txt §2.1).
func readProxyV1(r *bufio.Reader) (ProxyHeader, error) {
	var line []byte
	for len(line) < MaxProxyV1 {
		b, err := r.ReadByte()
		if err != nil {
			return ProxyHeader{}, noEOF(err)
		}
		line = append(line, b)
		if b == '\n' {
			break
		}
	}
	text, ok := strings.CutSuffix(string(line), "\r\n")
	if !ok {
		return ProxyHeader{}, proxyErr("v1 line without CRLF within %d bytes", MaxProxyV1)
	}
	rest, ok := strings.CutPrefix(text, "PROXY ")
	if !ok {
		return ProxyHeader{}, proxyErr("v1 line without PROXY")
	}
	h := ProxyHeader{Version: 1}
	if rest == "UNKNOWN" || strings.HasPrefix(rest, "UNKNOWN ") {
		// §2.1: the receiver must ignore anything after UNKNOWN.
		h.Local = true
		return h, nil
	}
	f := strings.Split(rest, " ")
	if len(f) != 5 || f[0] != "TCP4" && f[0] != "TCP6" {
		return ProxyHeader{}, proxyErr("v1 line %q", text)
	}
	src, err1 := v1Addr(f[0], f[1], f[3])
	dst, err2 := v1Addr(f[0], f[2], f[4])
	if err := errors.Join(err1, err2); err != nil {
		return ProxyHeader{}, err
	}
	h.Src, h.Dst = src, dst
	return h, nil
}

// v1Addr parses an address of family fam and a decimal port.
func v1Addr(fam, addr, port string) (*net.TCPAddr, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" || (fam == "TCP4") != a.Is4() {
		return nil, proxyErr("v1 %s address %q", fam, addr)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || port != strconv.FormatUint(p, 10) {
		return nil, proxyErr("v1 port %q", port)
	}
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(a, uint16(p))), nil
}

// Version 2 commands, families and transports (proxy-protocol.txt §2.2).
const (
	v2Local  = 0x0
	v2Proxy  = 0x1
	v2Unspec = 0x00
	v2Inet   = 0x11 // AF_INET, STREAM
	v2Inet6  = 0x21 // AF_INET6, STREAM
	v2Unix   = 0x31 // AF_UNIX, STREAM
)

// readProxyV2 reads the binary header: the signature, version and
// command, family and transport, length, the address block and TLVs.
func readProxyV2(r *bufio.Reader) (ProxyHeader, error) {
	var fixed [16]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return ProxyHeader{}, noEOF(err)
	}
	if !bytes.Equal(fixed[:12], proxyV2Sig) {
		return ProxyHeader{}, proxyErr("no v2 signature")
	}
	if fixed[12]>>4 != 2 {
		return ProxyHeader{}, proxyErr("v2 version %d", fixed[12]>>4)
	}
	cmd, fam := fixed[12]&0xf, fixed[13]
	n := int(binary.BigEndian.Uint16(fixed[14:]))
	if cmd != v2Local && cmd != v2Proxy {
		return ProxyHeader{}, proxyErr("v2 command %#x", cmd)
	}
	if n > MaxProxyV2 {
		return ProxyHeader{}, proxyErr("v2 length %d over %d", n, MaxProxyV2)
	}
	block := make([]byte, n)
	if _, err := io.ReadFull(r, block); err != nil {
		return ProxyHeader{}, noEOF(err)
	}
	h := ProxyHeader{Version: 2, Local: true}
	if cmd == v2Local {
		// §2.2: a LOCAL connection (the balancer's own health check)
		// keeps its endpoints whatever the block holds.
		return h, nil
	}
	var size int
	switch fam {
	case v2Unspec:
		return h, nil // §2.2: accepted with the real endpoints
	case v2Inet:
		size = 12
	case v2Inet6:
		size = 36
	case v2Unix:
		size = 216
	default:
		return ProxyHeader{}, proxyErr("v2 family and transport %#x", fam)
	}
	if n < size {
		return ProxyHeader{}, proxyErr("v2 length %d under the %d of its addresses", n, size)
	}
	if err := checkTLVs(block[size:]); err != nil {
		return ProxyHeader{}, err
	}
	h.Local = false
	switch fam {
	case v2Inet, v2Inet6:
		alen := (size - 4) / 2
		src, _ := netip.AddrFromSlice(block[:alen])
		dst, _ := netip.AddrFromSlice(block[alen : 2*alen])
		ports := block[2*alen:]
		h.Src = net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, binary.BigEndian.Uint16(ports)))
		h.Dst = net.TCPAddrFromAddrPort(netip.AddrPortFrom(dst, binary.BigEndian.Uint16(ports[2:])))
	case v2Unix:
		h.Src = &net.UnixAddr{Name: unixPath(block[:108]), Net: "unix"}
		h.Dst = &net.UnixAddr{Name: unixPath(block[108:216]), Net: "unix"}
	}
	return h, nil
}

// checkTLVs checks that the TLVs after the addresses (type, 16-bit
// length, value; proxy-protocol.txt §2.2.7) fill b exactly. Their
// contents are not used.
func checkTLVs(b []byte) error {
	for len(b) > 0 {
		if len(b) < 3 {
			return proxyErr("v2 TLV header cut short")
		}
		n := int(binary.BigEndian.Uint16(b[1:3]))
		if len(b)-3 < n {
			return proxyErr("v2 TLV %#x of %d bytes past the block", b[0], n)
		}
		b = b[3+n:]
	}
	return nil
}

// unixPath is a NUL-padded AF_UNIX path.
func unixPath(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// noEOF reports a header cut short as such.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return proxyErr("cut short")
	}
	return err
}
