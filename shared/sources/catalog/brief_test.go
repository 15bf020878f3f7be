package catalog

import (
	"reflect"
	"testing"
)

// A field the contract adds to Product must reach brief searches too,
// unless it is one of the heavy ones Brief leaves out.
func TestBriefProductHasEveryFieldButDescriptionAndImages(t *testing.T) {
	brief := map[string]reflect.Type{}
	for f := range reflect.TypeFor[briefProduct]().Fields() {
		brief[f.Tag.Get("json")] = f.Type
	}
	for f := range reflect.TypeFor[Product]().Fields() {
		tag := f.Tag.Get("json")
		if tag == "description" || tag == "images" {
			continue
		}
		if brief[tag] != f.Type {
			t.Errorf("briefProduct lacks %s %s: add it, and copy it in Client.Search", tag, f.Type)
		}
	}
}
