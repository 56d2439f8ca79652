package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// readBody reads the (size-limited) request body.
func readBody(c *gin.Context) ([]byte, error) {
	if c.Request.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return nil, bodyError(err)
	}
	return b, nil
}

// decodeStrict decodes one JSON value from b into v, refusing unknown
// fields and trailing data; the error names the offending field.
func decodeStrict(op string, b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the body is not valid",
			Fields: map[string]string{te.Field: "must be " + jsonTypeName(te.Type.Kind().String())}, Err: err}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the body is not valid",
			Fields: map[string]string{name: "is not a field here"}, Err: err}
	}
	return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the body is not a valid JSON object", Err: err}
}

// jsonTypeName names a Go kind as a JSON type.
func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "a whole number"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	}
	return "of another type"
}

// pathID reads a positive integer path parameter; what names the thing
// the id is of ("meeting") in the error.
func pathID(c *gin.Context, name, what string) (int64, error) {
	return parseID(name, c.Param(name), what)
}

// parseID reads raw, the value of path parameter name, as a positive
// integer id; a KindInvalid error names the parameter.
func parseID(name, raw, what string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.pathID", Message: "the " + what + " id must be a positive integer",
			Fields: map[string]string{name: fmt.Sprintf("%q is not a %s id", raw, what)}}
	}
	return id, nil
}

// decodeBody reads the (size-limited) request body and decodes it into a
// T with decodeStrict: unknown fields and trailing data are refused.
func decodeBody[T any](c *gin.Context, op string) (T, error) {
	var in T
	b, err := readBody(c)
	if err != nil {
		return in, err
	}
	if err := decodeStrict(op, b, &in); err != nil {
		return in, err
	}
	return in, nil
}

// decodePatch reads the (size-limited) request body as a JSON merge patch,
// which must be an object (patchObject).
func decodePatch(c *gin.Context, op string) (map[string]any, error) {
	b, err := readBody(c)
	if err != nil {
		return nil, err
	}
	return patchObject(op, b)
}
