// Package bmlt translates the output of a BMLT root server (the Basic Meeting
// List Toolbox that most Narcotics Anonymous service bodies run) into
// meeting.Meeting values: the semantic API's GetSearchResults, GetFormats,
// GetServiceBodies and GetServerInfo JSON, and the NAWS export CSV that BMLT
// servers produce for NA World Services.
//
// The package is pure: it does no network and no database work. The code that
// fetches a server asks SearchURLs which addresses to request and hands the
// response bodies to the parsers here. Every rejected record comes back as a
// meeting.Problem with a reason; records kept with a caveat (an unknown format
// code, a point that is not a real place) come back as Flagged problems.
//
// Mapping rules for a GetSearchResults meeting:
//
//   - ExternalID is id_bigint (a repeated id is rejected); GroupKey is
//     shared_group_id_bigint unless empty or "0", else id_bigint.
//   - weekday_tinyint "1"–"7" (1 = Sunday) becomes Day 0–6; start_time
//     "HH:MM:SS" is Start; End is Start + duration_time, wrapping past
//     midnight, unknown for "00:00:00" or no duration. A bad day or start
//     rejects the record.
//   - time_zone is kept when it is an IANA name, else left "" (and flagged
//     when something else was sent); the ingest layer supplies a default.
//   - Formats are normalised on their NAWS world_id, never on the
//     server-local key_string (upstream bmlt-server does the same in its TSML
//     output): "B" is "Beginners" on a BMLT server but "Big Book" in the
//     Meeting Guide vocabulary. format_shared_id_list is read through the
//     catalog when both are there, else the comma key_strings of formats in
//     the meeting's lang_enum. World ids outside the vocabulary map (BT, JFT,
//     IP, …) are kept verbatim and listed in one Flagged "types" problem,
//     with the formats that could not be mapped at all (no world_id, a
//     key_string the format list does not have).
//   - venue_type 1/2/3 gives in person/online/hybrid; without it, the venue
//     formats (VM, HYBR, TC) and the join details decide. A temporarily
//     closed location (TC, kept as a type) is online when there is a link
//     or phone, inactive otherwise.
//   - latitude/longitude become Location.Point ([lon, lat]) unless missing,
//     unreadable, 0,0, the server's default point (Catalog.DefaultPoint,
//     GetServerInfo's map centre) or BMLT's stock default
//     (StockDefaultPoint, in Los Angeles, recognised without a catalog):
//     those are dropped and flagged, so a virtual meeting is stored
//     without a point rather than a few metres from people in west LA.
//     Online meetings are Approximate.
//   - An empty meeting_name is replaced by a plain name ("NA Meeting") and
//     flagged: BMLT lets a service body save a meeting without one, and the
//     day, time and place are what a member needs.
//   - A record with published "0" is rejected as unpublished.
//   - Finally meeting.Validate runs; its field reasons reject the record.
package bmlt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Options are the settings of one BMLT import. Source is required; Program
// defaults to meeting.ProgramNA, the fellowship BMLT was built for.
type Options struct {
	meeting.ImportOptions
}

// resolve applies the defaults and checks the options. It returns a
// KindInvalid *meeting.Error when Source is empty or Program is unknown.
func (o Options) resolve(op string) (Options, error) {
	if strings.TrimSpace(o.Source) == "" {
		return o, meeting.Errorf(meeting.KindInvalid, op, "options: Source is required")
	}
	if o.Program == "" {
		o.Program = meeting.ProgramNA
	}
	if !o.Program.Valid() {
		return o, meeting.Errorf(meeting.KindInvalid, op, "options: %q is not a program", o.Program)
	}
	return o, nil
}

// Catalog is what a live import knows about a server before it reads the
// meetings: its formats (GetFormats), its service bodies (GetServiceBodies)
// and the default point new meetings are created at (GetServerInfo's
// centerLatitude/centerLongitude, in orb's [lon, lat] order). Any part may be
// nil or empty.
type Catalog struct {
	Formats       []Format
	ServiceBodies []ServiceBody
	DefaultPoint  *orb.Point
}

// Format is one entry of a server's format list (GetFormats). ID is the
// server's shared, language-independent id; KeyString is the local code in
// language Lang (not unique across servers); WorldID is the NAWS code (OPEN,
// CLOSED, BEG, VM, HYBR, TC, LANG, …) that the importer maps to types.
type Format struct {
	ID          string
	KeyString   string
	Name        string
	Description string
	Lang        string
	WorldID     string
	Type        string // format_type_enum: FC1, FC2, FC3, O, LANG, …
}

// ServiceBody is one entry of GetServiceBodies: a region, area or group that
// publishes meetings. ParentID is "0" (or empty) at the top.
type ServiceBody struct {
	ID          string
	ParentID    string
	Name        string
	Description string
	Type        string // GR, AS, RS, ZF, …
	URL         string
	Helpline    string // the service body's public helpline number
	WorldID     string
}

// ServerInfo is the part of GetServerInfo an import uses. DefaultPoint is the
// map centre new meetings start at, [lon, lat], or nil when absent or 0,0.
// DefaultDuration is zero when the server does not say.
type ServerInfo struct {
	Version         string
	VersionInt      int
	Langs           []string
	NativeLang      string
	DefaultPoint    *orb.Point
	DefaultDuration time.Duration
	RegionBias      string
	DistanceUnits   string
	AvailableKeys   []string
	AggregatorMode  bool
}

// text is a JSON scalar read as a string. BMLT sends every value as a
// string, but some servers and proxies send numbers or booleans; those are
// kept as their literal text, null as "", and arrays or objects as "".
type text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case 'n', '[', '{':
		*t = ""
	default:
		*t = text(b)
	}
	return nil
}

// String returns the value with surrounding white space removed.
func (t text) String() string { return strings.TrimSpace(string(t)) }

type wireFormat struct {
	KeyString   text `json:"key_string"`
	Name        text `json:"name_string"`
	Description text `json:"description_string"`
	Lang        text `json:"lang"`
	ID          text `json:"id"`
	WorldID     text `json:"world_id"`
	Type        text `json:"format_type_enum"`
}

func (w wireFormat) format() Format {
	return Format{
		ID: w.ID.String(), KeyString: w.KeyString.String(), Name: w.Name.String(),
		Description: w.Description.String(), Lang: w.Lang.String(), WorldID: w.WorldID.String(), Type: w.Type.String(),
	}
}

// ParseFormats reads a GetFormats response: a JSON array of format objects,
// or the {"formats": […]} object that get_formats_only returns. It returns a
// KindInvalid *meeting.Error when the input is not JSON of that shape, and a
// KindUnavailable one when r fails.
func ParseFormats(r io.Reader) ([]Format, error) {
	const op = "bmlt.ParseFormats"
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, meeting.Wrap(meeting.KindUnavailable, op, err)
	}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var obj struct {
			Formats *json.RawMessage `json:"formats"`
		}
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, invalidJSON(op, "a GetFormats response", err)
		}
		if obj.Formats == nil {
			return nil, meeting.Errorf(meeting.KindInvalid, op, "a GetFormats response is an array of formats or an object with \"formats\"; this object has no \"formats\"")
		}
		data = *obj.Formats
	}
	var wire []wireFormat
	if err := decodeArray(data, &wire); err != nil {
		return nil, invalidJSON(op, "a GetFormats response", err)
	}
	out := make([]Format, 0, len(wire))
	for _, w := range wire {
		out = append(out, w.format())
	}
	return out, nil
}

type wireServiceBody struct {
	ID          text `json:"id"`
	ParentID    text `json:"parent_id"`
	Name        text `json:"name"`
	Description text `json:"description"`
	Type        text `json:"type"`
	URL         text `json:"url"`
	Helpline    text `json:"helpline"`
	WorldID     text `json:"world_id"`
}

// ParseServiceBodies reads a GetServiceBodies response, a JSON array of
// service body objects. It returns a KindInvalid *meeting.Error when the
// input is not such an array, and a KindUnavailable one when r fails.
func ParseServiceBodies(r io.Reader) ([]ServiceBody, error) {
	const op = "bmlt.ParseServiceBodies"
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, meeting.Wrap(meeting.KindUnavailable, op, err)
	}
	var wire []wireServiceBody
	if err := decodeArray(data, &wire); err != nil {
		return nil, invalidJSON(op, "a GetServiceBodies response", err)
	}
	out := make([]ServiceBody, 0, len(wire))
	for _, w := range wire {
		out = append(out, ServiceBody{
			ID: w.ID.String(), ParentID: w.ParentID.String(), Name: w.Name.String(), Description: w.Description.String(),
			Type: w.Type.String(), URL: w.URL.String(), Helpline: w.Helpline.String(), WorldID: w.WorldID.String(),
		})
	}
	return out, nil
}

type wireServerInfo struct {
	Version         text `json:"version"`
	VersionInt      text `json:"versionInt"`
	Langs           text `json:"langs"`
	NativeLang      text `json:"nativeLang"`
	CenterLongitude text `json:"centerLongitude"`
	CenterLatitude  text `json:"centerLatitude"`
	DefaultDuration text `json:"defaultDuration"`
	RegionBias      text `json:"regionBias"`
	DistanceUnits   text `json:"distanceUnits"`
	AvailableKeys   text `json:"available_keys"`
	Aggregator      text `json:"aggregator_mode_enabled"`
}

// ParseServerInfo reads a GetServerInfo response, a JSON array holding one
// object (a bare object is accepted too). Fields it cannot read (a missing
// centre, a bad duration) are left zero. It returns a KindInvalid
// *meeting.Error when the input is not of that shape or the array is empty,
// and a KindUnavailable one when r fails. The server's Google API key, which
// GetServerInfo may expose, is never read.
func ParseServerInfo(r io.Reader) (ServerInfo, error) {
	const op = "bmlt.ParseServerInfo"
	data, err := io.ReadAll(r)
	if err != nil {
		return ServerInfo{}, meeting.Wrap(meeting.KindUnavailable, op, err)
	}
	data = bytes.TrimSpace(data)
	var w wireServerInfo
	if len(data) > 0 && data[0] == '{' {
		if err := json.Unmarshal(data, &w); err != nil {
			return ServerInfo{}, invalidJSON(op, "a GetServerInfo response", err)
		}
	} else {
		var list []wireServerInfo
		if err := decodeArray(data, &list); err != nil {
			return ServerInfo{}, invalidJSON(op, "a GetServerInfo response", err)
		}
		if len(list) == 0 {
			return ServerInfo{}, meeting.Errorf(meeting.KindInvalid, op, "a GetServerInfo response holds one object; this array is empty")
		}
		w = list[0]
	}
	info := ServerInfo{
		Version: w.Version.String(), NativeLang: w.NativeLang.String(), RegionBias: w.RegionBias.String(),
		DistanceUnits: w.DistanceUnits.String(), Langs: splitList(w.Langs.String()), AvailableKeys: splitList(w.AvailableKeys.String()),
	}
	info.VersionInt, _ = strconv.Atoi(w.VersionInt.String())
	info.AggregatorMode, _ = strconv.ParseBool(w.Aggregator.String())
	if lat, lng, ok := parseLatLng(w.CenterLatitude.String(), w.CenterLongitude.String()); ok && (lat != 0 || lng != 0) {
		info.DefaultPoint = &orb.Point{lng, lat}
	}
	if d, ok := parseDuration(w.DefaultDuration.String()); ok {
		info.DefaultDuration = d
	}
	return info, nil
}

// URLs are the semantic-API addresses one live import of a root server
// fetches, in the order it should fetch them.
type URLs struct {
	ServerInfo    string // GetServerInfo → ParseServerInfo
	ServiceBodies string // GetServiceBodies → ParseServiceBodies
	Formats       string // GetFormats (all formats, also unused ones) → ParseFormats
	SearchResults string // GetSearchResults, unfiltered, with get_used_formats → Parse
}

// SearchURLs returns the URLs a live import requests from the BMLT root
// server at root (e.g. "https://bmlt.example.org/main_server"). It only
// builds strings. It returns a KindInvalid *meeting.Error when root is not an
// absolute http or https URL without query or fragment.
func SearchURLs(root string) (URLs, error) {
	const op = "bmlt.SearchURLs"
	u, err := url.Parse(strings.TrimSpace(root))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return URLs{}, meeting.Errorf(meeting.KindInvalid, op, "%q is not a BMLT root server URL (want an absolute http or https URL without query)", root)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/client_interface/json/"
	u.RawPath = ""
	build := func(v url.Values) string {
		c := *u
		c.RawQuery = v.Encode()
		return c.String()
	}
	return URLs{
		ServerInfo:    build(url.Values{"switcher": {"GetServerInfo"}}),
		ServiceBodies: build(url.Values{"switcher": {"GetServiceBodies"}}),
		Formats:       build(url.Values{"switcher": {"GetFormats"}, "show_all": {"1"}}),
		SearchResults: build(url.Values{"switcher": {"GetSearchResults"}, "get_used_formats": {"1"}}),
	}, nil
}

// decodeArray decodes a JSON array into v (a pointer to a slice) and rejects
// anything else: objects, strings, null, trailing data.
func decodeArray(data []byte, v any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return fmt.Errorf("the input is empty")
	}
	if data[0] != '[' {
		return fmt.Errorf("want a JSON array, got %s", describeJSON(data))
	}
	return json.Unmarshal(data, v)
}

// describeJSON names the kind of JSON value data starts with.
func describeJSON(data []byte) string {
	switch data[0] {
	case '{':
		return "an object"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "a number"
	}
	return "something that is not JSON"
}

func invalidJSON(op, what string, err error) error {
	return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the input is not " + what, Err: err}
}

// splitList splits a comma list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseLatLng reads a latitude and a longitude; ok is false when either is
// missing, not a finite number, or out of range.
func parseLatLng(latS, lngS string) (lat, lng float64, ok bool) {
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(latS), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(lngS), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lng) || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return 0, 0, false
	}
	return lat, lng, true
}

// parseDuration reads a BMLT duration, "HH:MM:SS" or "HH:MM" (hours may
// exceed 23), into a time.Duration rounded down to the minute.
func parseDuration(s string) (time.Duration, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var n [3]int
	for i, p := range parts {
		if len(p) > 4 || !digits(p) {
			return 0, false
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || (i > 0 && v > 59) {
			return 0, false
		}
		n[i] = v
	}
	return time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute, true
}
