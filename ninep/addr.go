package ninep

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
)

// defaultPort is the 9fs port, used when a dial string names none
// ("tcp!host"), as Plan 9's netmkaddr(2) would with the service "9fs".
const defaultPort = "564"

// address is a parsed dial string.
type address struct {
	network string // "tcp" or "unix"
	addr    string // host:port for tcp, a path for unix
	service bool   // a bare service name in the name space directory
}

// parseAddr accepts the address forms of Dial and Listen:
//
//	tcp!host!port   Plan 9 dial string; also net!, tcp4!, tcp6!; host may be
//	                [v6addr] or * (any, for Listen); port defaults to 564
//	unix!/path      Plan 9 dial string for a Unix-domain socket
//	host:port       Go address, TCP ([::1]:564 for IPv6)
//	/path, ./path   anything else with a '/': a Unix-domain socket
//	name            no '!', ':' or '/': the socket <Namespace()>/name, as
//	                plan9port's post9pservice(3) names a service
func parseAddr(s string) (address, error) {
	switch {
	case s == "":
		return address{}, fmt.Errorf("empty address")
	case strings.ContainsRune(s, 0):
		return address{}, fmt.Errorf("NUL in address %q", s)
	case strings.Contains(s, "!"):
		return parseDialString(s)
	case strings.Contains(s, "/"):
		return address{network: "unix", addr: s}, nil
	case strings.Contains(s, ":"):
		if _, _, err := net.SplitHostPort(s); err != nil {
			return address{}, err
		}
		return address{network: "tcp", addr: s}, nil
	}
	return address{network: "unix", addr: filepath.Join(Namespace(), s), service: true}, nil
}

// parseDialString parses a Plan 9 dial string net!host!port (dial(2)).
func parseDialString(s string) (address, error) {
	netw, rest, _ := strings.Cut(s, "!")
	switch netw {
	case "unix":
		if rest == "" {
			return address{}, fmt.Errorf("dial string %q: no path", s)
		}
		return address{network: "unix", addr: rest}, nil
	case "tcp", "tcp4", "tcp6", "net":
	default:
		return address{}, fmt.Errorf("dial string %q: network %q not supported", s, netw)
	}
	host, port, ok := strings.Cut(rest, "!")
	if !ok || port == "" {
		port = defaultPort
	}
	if strings.Contains(port, "!") {
		return address{}, fmt.Errorf("dial string %q: too many fields", s)
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if host == "*" {
		host = ""
	}
	hp := net.JoinHostPort(host, port)
	if h, p, err := net.SplitHostPort(hp); err != nil || h != host || p != port {
		return address{}, fmt.Errorf("dial string %q: bad host or port", s)
	}
	if netw == "net" {
		netw = "tcp"
	}
	return address{network: netw, addr: hp}, nil
}
