package csv

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// repairMojibake undoes the wrong decodings a file's text went through on
// its way, when that is clearly better than reading it as it is. Two
// kinds are seen in listings:
//
//   - UTF-8 text read as Windows-1252 and saved again as UTF-8: "Coco’s"
//     became "Cocoâ€™s" in a valid UTF-8 file;
//   - the same mistake made on a Mac, once or twice: UTF-8 read as Mac
//     Roman and saved as Windows-1252, so that a file that is not UTF-8
//     shows "Coco‰Ûªs" (or "Cocoäó»s") where it had "Coco’s".
//
// Each repair is tried on the whole file, and kept only when it yields
// valid UTF-8 free of control characters and replacement characters,
// with fewer runs of accented or symbol characters than the text as it
// would be read otherwise (mojibake turns one character into two or
// three). A file in a legacy encoding proper ("café" in Windows-1252) does
// not become valid UTF-8 this way, and is left to the decoder.
func repairMojibake(data []byte) ([]byte, bool) {
	var plain string
	if utf8.Valid(data) {
		plain = string(data)
		fixed, err := charmap.Windows1252.NewEncoder().Bytes(data)
		if err == nil && clean(fixed) && garbled(string(fixed)) < garbled(plain) {
			return fixed, true
		}
		return nil, false
	}
	p, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return nil, false
	}
	plain = string(p)
	b := data
	for layer := 0; layer < 2; layer++ {
		u, err := charmap.Macintosh.NewDecoder().Bytes(b)
		if err != nil {
			return nil, false
		}
		if b, err = charmap.Windows1252.NewEncoder().Bytes(u); err != nil {
			return nil, false
		}
		if clean(b) && garbled(string(b)) < garbled(plain) {
			return b, true
		}
	}
	return nil, false
}

// clean reports whether b is valid UTF-8 without replacement characters
// or control characters other than tab and line ends.
func clean(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') {
			return false
		}
	}
	return true
}

// garbled counts the runs of two or more non-ASCII characters in s: what
// mojibake leaves ("â€™", "Ã©"), and rare in real text.
func garbled(s string) int {
	n, run := 0, 0
	for _, r := range s {
		if r >= utf8.RuneSelf {
			run++
			if run == 2 {
				n++
			}
			continue
		}
		run = 0
	}
	return n
}
