package app

import "github.com/tandemgw/tandem/bff-mobile/graph"

// Sources are the backends bff-mobile talks to, the one list of them: main
// registers them (gateway.Main) and the tests build their registries from
// it. It is generated (graph.Sources) from the schema's directives, its
// @source declarations and the source packages the hand-written resolvers
// reach, so connecting a backend never means editing a list;
// Spec.RequiredSources is its ids.
var Sources = graph.Sources
