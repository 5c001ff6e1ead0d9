package wire_test

import (
	"testing"
	"time"

	"p9mail/protocol/imap/wire"
)

func TestDate(t *testing.T) {
	runParse(t, []parseCase{
		{"1-Feb-1994\r\n", "1994-02-01 00:00:00 +0000"},
		{"\"01-feb-1994\"\r\n", "1994-02-01 00:00:00 +0000"},
		{"29-Feb-2024\r\n", "2024-02-29 00:00:00 +0000"},
		{"29-Feb-2023\r\n", "error: invalid date"},
		{"0-Jan-2000\r\n", "error: invalid date"},
		{"1-Foo-2000\r\n", `error: invalid month "Foo"`},
		{"1-Jan-94\r\n", "error: invalid date"},
		{"\"1-Jan-1994\r\n", `error: expected closing '"' of date`},
		{"123-Jan-1994\r\n", `error: expected "-" in date`},
	}, func(d *wire.Decoder) (string, bool) {
		var tm time.Time
		ok := d.ExpectDate(&tm)
		return tm.Format("2006-01-02 15:04:05 -0700"), ok
	})
}

func TestDateTime(t *testing.T) {
	runParse(t, []parseCase{
		{"\"17-Jul-1996 02:44:25 -0700\"\r\n", "1996-07-17 02:44:25 -0700"},
		{"\" 7-Feb-1994 21:52:25 -0800\"\r\n", "1994-02-07 21:52:25 -0800"},
		{"\"7-Feb-1994 21:52:25 +0130\"\r\n", "1994-02-07 21:52:25 +0130"},
		{"\"31-DEC-1998 23:59:60 +0000\"\r\n", "1999-01-01 00:00:00 +0000"},
		{"\"17-Jul-1996 24:00:00 -0700\"\r\n", "error: invalid time of day"},
		{"\"17-Jul-1996 02:44 -0700\"\r\n", `error: expected ":" in time`},
		{"\"17-Jul-1996 02:44:25 PDT\"\r\n", "error: invalid time zone"},
		{"\"17-Jul-1996 02:44:25 +0060\"\r\n", "error: invalid time zone"},
		{"17-Jul-1996\r\n", `error: expected '"' to start date-time`},
		{"\"31-Apr-1996 02:44:25 -0700\"\r\n", "error: invalid date"},
	}, func(d *wire.Decoder) (string, bool) {
		var tm time.Time
		ok := d.ExpectDateTime(&tm)
		return tm.Format("2006-01-02 15:04:05 -0700"), ok
	})
}
