//go:build !plan9

package ninep

import (
	"os"
	"os/user"
	"strings"
)

// Namespace returns the plan9port name space directory, where services
// post their sockets: $NAMESPACE if set, else /tmp/ns.$USER.$DISPLAY as
// plan9port's getns(3) computes it: DISPLAY defaults to ":0", a ".0"
// screen suffix after the display number is dropped, and '/' becomes '_'.
// USER is $USER, else the login name of the current user.
func Namespace() string {
	if ns := os.Getenv("NAMESPACE"); ns != "" {
		return ns
	}
	disp := os.Getenv("DISPLAY")
	if disp == "" {
		disp = ":0"
	}
	disp = strings.ReplaceAll(canonDisplay(disp), "/", "_")
	return "/tmp/ns." + userName() + "." + disp
}

// canonDisplay turns xxx:0.0 into xxx:0, as getns(3) does.
func canonDisplay(disp string) string {
	i := strings.LastIndexByte(disp, ':')
	if i < 0 {
		return disp
	}
	j := i + 1
	for j < len(disp) && disp[j] >= '0' && disp[j] <= '9' {
		j++
	}
	if disp[j:] == ".0" {
		return disp[:j]
	}
	return disp
}

// userName is $USER, else the current user's login name, else "none".
func userName() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "none"
}
