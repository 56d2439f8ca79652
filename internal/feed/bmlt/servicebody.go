package bmlt

import (
	"hash/fnv"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ServiceBody is one entry of GetServiceBodies. Every value is a string.
type ServiceBody struct {
	ID          string `json:"id"`
	ParentID    string `json:"parent_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	URL         string `json:"url"`
	Helpline    string `json:"helpline"`
	WorldID     string `json:"world_id"`
}

// ServiceBodyID returns the id of the service body for a source and a
// path of its regions (general to specific; none for the source itself).
// The id is a hash of the path, below 2^31 and above 0, so it is the same
// on every call and every server start without a table of its own.
func ServiceBodyID(source string, regions ...string) string {
	h := fnv.New32a()
	h.Write([]byte(source))
	for _, r := range regions {
		h.Write([]byte{0})
		h.Write([]byte(r))
	}
	id := h.Sum32() & 0x7fffffff
	if id == 0 {
		id = 1
	}
	return strconv.FormatUint(uint64(id), 10)
}

// ServiceBodies turns the places meetings are published for into BMLT
// service bodies. Each area is a source followed by a path of its regions,
// general to specific (just the source for meetings with no regions):
// each source is a top-level body of type "RS" (region), each region path
// below it a child of type "AS" (area) whose parent is the path one shorter.
// The result is sorted by name path and has no duplicates.
func ServiceBodies(areas [][]string) []ServiceBody {
	type node struct {
		path []string // source, regions…
		body ServiceBody
	}
	seen := map[string]bool{}
	var nodes []node
	add := func(path []string) {
		id := ServiceBodyID(path[0], path[1:]...)
		if seen[id] {
			return
		}
		seen[id] = true
		b := ServiceBody{ID: id, ParentID: "0", Name: path[len(path)-1], Type: "RS"}
		if len(path) > 1 {
			b.ParentID = ServiceBodyID(path[0], path[1:len(path)-1]...)
			b.Type = "AS"
			b.Description = strings.Join(path[1:], " > ")
		} else {
			b.Description = "Meetings published by " + path[0]
		}
		nodes = append(nodes, node{path: slices.Clone(path), body: b})
	}
	for _, a := range areas {
		if len(a) == 0 {
			continue
		}
		path := []string{a[0]}
		add(path)
		for _, r := range a[1:] {
			if r = strings.TrimSpace(r); r == "" {
				continue
			}
			path = append(path, r)
			add(path)
		}
	}
	slices.SortFunc(nodes, func(a, b node) int { return slices.Compare(a.path, b.path) })
	out := make([]ServiceBody, len(nodes))
	for i, n := range nodes {
		out[i] = n.body
	}
	return out
}

// MeetingServiceBody returns the id of the body a meeting belongs to: its
// most specific region under its source, or the source itself.
func MeetingServiceBody(source string, regions []string) string {
	var path []string
	for _, r := range regions {
		if r = strings.TrimSpace(r); r != "" {
			path = append(path, r)
		}
	}
	return ServiceBodyID(source, path...)
}

// MeetingServiceBodyName returns the name of the body MeetingServiceBody
// names, as ServiceBodies names it: the meeting's most specific region, or
// its source.
func MeetingServiceBodyName(source string, regions []string) string {
	for i := len(regions) - 1; i >= 0; i-- {
		if r := strings.TrimSpace(regions[i]); r != "" {
			return r
		}
	}
	return source
}

// Descendants returns ids together with the ids of every body below them in
// bodies.
func Descendants(bodies []ServiceBody, ids map[string]bool) map[string]bool {
	out := map[string]bool{}
	for id := range ids {
		out[id] = true
	}
	for changed := true; changed; {
		changed = false
		for _, b := range bodies {
			if out[b.ParentID] && !out[b.ID] {
				out[b.ID] = true
				changed = true
			}
		}
	}
	return out
}

// Ancestors returns ids together with the ids of every body above them.
func Ancestors(bodies []ServiceBody, ids map[string]bool) map[string]bool {
	parent := map[string]string{}
	for _, b := range bodies {
		parent[b.ID] = b.ParentID
	}
	out := map[string]bool{}
	for id := range ids {
		for id != "" && id != "0" && !out[id] {
			out[id] = true
			id = parent[id]
		}
	}
	return out
}

// SelectServiceBodies answers GetServiceBodies over bodies, as BMLT
// does: every body, or those services[] names (a value that is no number
// names body 0, which does not exist), without those it names with a
// negative id; recursive=1 adds the descendants of both sets, parents=1
// their ancestors.
func SelectServiceBodies(bodies []ServiceBody, q url.Values) []ServiceBody {
	include, exclude := map[string]bool{}, map[string]bool{}
	for _, v := range List(q, "services") {
		if n := intval(v); n >= 0 {
			include[strconv.FormatInt(n, 10)] = true
		} else if n != math.MinInt64 {
			exclude[strconv.FormatInt(-n, 10)] = true
		}
	}
	anyBody := len(include) == 0
	if get(q, "recursive") == "1" {
		include, exclude = Descendants(bodies, include), Descendants(bodies, exclude)
	}
	if get(q, "parents") == "1" {
		for id := range Ancestors(bodies, include) {
			include[id] = true
		}
		for id := range Ancestors(bodies, exclude) {
			exclude[id] = true
		}
	}
	out := []ServiceBody{}
	for _, b := range bodies {
		if (anyBody || include[b.ID]) && !exclude[b.ID] {
			out = append(out, b)
		}
	}
	return out
}
