package testenv

import "unicode/utf8"

// Vocabulary for generated text. "from" is deliberately absent: only the
// FromInBody kind may put "From " at the start of a body line, so every
// other message is stored in an mbox byte for byte (spec §1.8 escaping).
var asciiWords = []string{
	"the", "of", "and", "to", "a", "in", "is", "it", "that", "for", "on",
	"with", "as", "was", "at", "by", "this", "be", "not", "or", "have",
	"are", "but", "all", "we", "they", "you", "an", "one", "which", "their",
	"will", "would", "there", "can", "if", "about", "so", "what", "when",
	"up", "out", "more", "time", "some", "could", "them", "into", "than",
	"only", "new", "other", "then", "also", "after", "first", "two", "our",
	"work", "just", "mail", "server", "file", "mailbox", "message", "build",
	"kernel", "network", "report", "meeting", "review", "release", "draft",
	"budget", "schedule", "question", "answer", "change", "patch", "test",
	"tests", "bug", "fix", "fixed", "version", "machine", "disk", "backup",
	"plan", "system", "user", "users", "directory", "namespace", "protocol",
	"client", "clients", "should", "please", "thanks", "tomorrow", "today",
	"week", "next", "last", "before", "again", "still", "because", "think",
	"know", "need", "make", "sure", "look", "looks", "like", "good", "fine",
	"problem", "issue", "idea", "ideas", "notes", "slides", "office",
	"lunch", "coffee", "team", "project", "deadline", "friday", "monday",
	"late", "early", "quickly", "probably", "maybe", "agree", "attached",
	"document", "copy", "numbers", "table", "figure", "section", "page",
	"comments", "feedback", "update", "status", "progress", "running",
	"stopped", "restart", "config", "option", "default", "error", "output",
	"input", "log", "trace", "memory", "cache", "index", "query", "reply",
	"send", "sent", "received", "forward", "folder", "delete", "archive",
}

// accentedWords are mixed into UTF-8 and ISO-8859-1 text. Those with a
// rune above U+00FF appear only in UTF-8 text (see latin1Words).
var accentedWords = []string{
	"café", "naïve", "über", "Grüße", "München", "Zürich", "façade",
	"résumé", "jalapeño", "smörgåsbord", "crème", "brûlée", "déjà", "São",
	"piñata", "Ångström", "fiancée", "Ærø", "señor", "Köln", "Genève",
	"Łódź", "Kraków", "Ελλάδα", "Москва", "日本語", "東京", "€10",
	"“quoted”", "—", "😀", "Ïle", "Þórr",
}

// latin1Words are the accentedWords that ISO-8859-1 can encode, as UTF-8.
var latin1Words = filterLatin1(accentedWords)

// filterLatin1 keeps the words whose runes all fit in one Latin-1 byte.
func filterLatin1(ws []string) []string {
	var out []string
	for _, w := range ws {
		if isLatin1(w) {
			out = append(out, w)
		}
	}
	return out
}

// isLatin1 reports whether every rune of s is at most U+00FF.
func isLatin1(s string) bool {
	for _, r := range s {
		if r > 0xff || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// subjects are base subjects; replies prefix "Re: ".
var subjects = []string{
	"Quarterly report", "Lunch on Friday?", "build failure on the file server",
	"Meeting notes", "Draft of the proposal", "Backup schedule",
	"Question about the namespace", "New release candidate", "Disk space",
	"Holiday plans", "Patch for the mail server", "Budget review",
	"Welcome to the team", "Slides for tomorrow", "Your account",
	"Minutes of the last meeting", "kernel panic after upgrade",
	"Invitation: project kickoff", "Re-run the tests please", "Status update",
	"Coffee machine is broken again", "Updated schedule for next week",
	"Feedback on section 3", "Conference travel", "A question",
	"[plan9] mailbox locking", "[dev] protocol change proposal",
	"Fwd: interesting article", "Password reset", "Weekly digest",
	"Action required: confirm your address", "Office move",
}

// accentedSubjects are base subjects for the RFC 2047 kinds.
var accentedSubjects = []string{
	"Grüße aus München", "Café on Friday?", "Résumé for review",
	"Zürich trip — hotel booked", "Crème brûlée recipe", "Señor García's visit",
	"Ελληνικά: meeting notes", "日本語のテスト", "Москва report",
	"Déjà vu: the build failed again", "Smörgåsbord at the office", "Kraków slides",
}

// latin1Subjects are the accentedSubjects that ISO-8859-1 can encode.
var latin1Subjects = filterLatin1(accentedSubjects)

// greetings and closings frame a text body; accentedGreetings fit ISO-8859-1 and give every UTF-8 or ISO-8859-1
// body at least one non-ASCII letter.
var greetings = []string{"Hi", "Hello", "Dear", "Hey", "Good morning"}
var accentedGreetings = []string{"Grüß dich", "¡Hola", "Ça va", "Olá", "Hallå"}
var closings = []string{"Thanks,", "Regards,", "Best,", "Cheers,", "See you,"}
