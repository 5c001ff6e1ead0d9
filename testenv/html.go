package testenv

import "bytes"

const (
	htmlHead = "<html>\n<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>\n<body>\n"
	htmlTail = "</body>\n</html>\n"
)

// appendHTML renders text (lines, paragraphs separated by blank lines) as
// an HTML document: one <p> per paragraph, lines joined by <br> or, when
// joinLines is set, by spaces into one long line (as quoted-printable
// HTML usually is).
func appendHTML(dst, text []byte, joinLines bool) []byte {
	dst = append(dst, htmlHead...)
	inPara := false
	for len(text) > 0 {
		line := text
		if n := bytes.IndexByte(text, '\n'); n >= 0 {
			line, text = text[:n], text[n+1:]
		} else {
			text = nil
		}
		switch {
		case len(bytes.TrimRight(line, " ")) == 0:
			if inPara {
				dst = append(dst, "</p>\n"...)
				inPara = false
			}
			continue
		case !inPara:
			dst = append(dst, "<p>"...)
			inPara = true
		case joinLines:
			dst = append(dst, ' ')
		default:
			dst = append(dst, "<br>\n"...)
		}
		dst = appendEscapedHTML(dst, line)
	}
	if inPara {
		dst = append(dst, "</p>\n"...)
	}
	return append(dst, htmlTail...)
}

// appendEscapedHTML appends s with &, < and > as character references.
func appendEscapedHTML(dst, s []byte) []byte {
	for _, c := range s {
		switch c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
