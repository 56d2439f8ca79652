package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// configFile is the JSON layout of a sources file.
type configFile struct {
	Sources []struct {
		Name           string `json:"name"`
		Location       string `json:"location"`
		Format         string `json:"format"`
		Program        string `json:"program"`
		TimeZone       string `json:"timezone"`
		OnlineTimeZone string `json:"online_timezone"`
		Mapping        string `json:"mapping"`
		Refresh        string `json:"refresh"`
		Local          bool   `json:"local"`
	} `json:"sources"`
}

// ParseConfig reads a sources file:
//
//	{"sources": [{"name": "sepia", "location": "https://…/meetings.json",
//	  "format": "meetingguide", "program": "aa", "timezone": "America/New_York",
//	  "online_timezone": "America/New_York", "mapping": "", "refresh": "6h", "local": false}]}
//
// timezone is the zone of meetings whose record and text give none;
// online_timezone, when set, takes its place for online meetings.
// refresh is a Go duration ("90m", "6h"), "0" or "off" for on demand only,
// meeting.DefaultRefresh when absent. local: true allows a URL on this
// machine or the local network (see meeting.Source.Local). Relative local locations and mapping paths
// are read relative to dir (the file's folder). It returns a KindInvalid
// *meeting.Error for malformed JSON, unknown keys, invalid or repeated
// sources.
func ParseConfig(r io.Reader, dir string) ([]meeting.Source, error) {
	const op = "ingest.ParseConfig"
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, meeting.Wrap(meeting.KindInvalid, op, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cf configFile
	if err := dec.Decode(&cf); err != nil {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "not a sources file: %v", err)
	}
	if dec.More() {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "not a sources file: data after the JSON object")
	}
	if len(cf.Sources) == 0 {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the sources file lists no sources")
	}
	seen := map[string]bool{}
	var out []meeting.Source
	for i, c := range cf.Sources {
		s := meeting.Source{Name: c.Name, Location: strings.TrimSpace(c.Location), Format: meeting.Format(c.Format),
			Program: meeting.Program(c.Program), TimeZone: c.TimeZone, OnlineTimeZone: c.OnlineTimeZone, Mapping: c.Mapping, Refresh: meeting.DefaultRefresh, Local: c.Local}
		switch strings.TrimSpace(c.Refresh) {
		case "":
		case "0", "off", "never":
			s.Refresh = 0
		default:
			d, err := time.ParseDuration(c.Refresh)
			if err != nil {
				return nil, meeting.Errorf(meeting.KindInvalid, op, "source %d (%s): refresh %q is not a duration like \"6h\"", i+1, c.Name, c.Refresh)
			}
			if d < meeting.MinRefresh {
				return nil, meeting.Errorf(meeting.KindInvalid, op, "source %d (%s): refresh %s is shorter than %s", i+1, c.Name, d, meeting.MinRefresh)
			}
			s.Refresh = d
		}
		if s.Location != "" && !meeting.IsURL(s.Location) && !filepath.IsAbs(s.Location) && dir != "" {
			s.Location = filepath.Join(dir, s.Location)
		}
		if s.Mapping != "" && !filepath.IsAbs(s.Mapping) && dir != "" {
			s.Mapping = filepath.Join(dir, s.Mapping)
		}
		if err := s.Check(); err != nil {
			return nil, fmt.Errorf("%s: source %d: %w", op, i+1, err)
		}
		if seen[s.Name] {
			return nil, meeting.Errorf(meeting.KindInvalid, op, "source %d: the name %q is used twice", i+1, s.Name)
		}
		seen[s.Name] = true
		out = append(out, s)
	}
	return out, nil
}
