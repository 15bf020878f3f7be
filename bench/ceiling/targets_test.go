package ceiling_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/tandemgw/tandem/mocks"
)

// messageLog records the request messages of the gRPC calls a client
// makes: the mocks record a call's method, not what it asked for.
type messageLog struct {
	mu   sync.Mutex
	msgs []recordedMessage
}

type recordedMessage struct {
	method string
	req    proto.Message
}

func (l *messageLog) interceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if m, ok := req.(proto.Message); ok {
			l.mu.Lock()
			l.msgs = append(l.msgs, recordedMessage{method: method, req: proto.Clone(m)})
			l.mu.Unlock()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// take returns the messages recorded since the last take as "method
// body" lines (body in compact protojson), sorted, and forgets them.
//
// With anyOrder, the keys of a batch may be in any order and split into
// chunks anyhow (bff-web collects them in a map): per method, one line has
// the number of calls and the keys of all of them merged and sorted, and
// one line per call has the rest of its message (its lists left out).
func (l *messageLog) take(anyOrder bool) []string {
	l.mu.Lock()
	msgs := l.msgs
	l.msgs = nil
	l.mu.Unlock()
	var out []string
	if !anyOrder {
		for _, m := range msgs {
			out = append(out, m.method+" "+compactJSON(m.req))
		}
		slices.Sort(out)
		return out
	}
	merged := map[string]proto.Message{}
	calls := map[string]int{}
	for _, m := range msgs {
		calls[m.method]++
		if all, ok := merged[m.method]; ok {
			proto.Merge(all, m.req) // appends the lists
		} else {
			merged[m.method] = proto.Clone(m.req)
		}
		rest := proto.Clone(m.req)
		clearLists(rest.ProtoReflect())
		out = append(out, m.method+" "+compactJSON(rest))
	}
	for method, all := range merged {
		sortStringLists(all.ProtoReflect())
		out = append(out, fmt.Sprintf("%s calls=%d merged=%s", method, calls[method], compactJSON(all)))
	}
	slices.Sort(out)
	return out
}

func compactJSON(m proto.Message) string {
	b, err := (protojson.MarshalOptions{}).Marshal(m)
	if err != nil {
		panic(err)
	}
	// protojson's spacing varies on purpose; the compact form is stable.
	return strings.Join(strings.Fields(string(b)), "")
}

// clearLists clears the repeated fields of m.
func clearLists(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		if fd.IsList() {
			m.Clear(fd)
		}
		return true
	})
}

// sortStringLists sorts the repeated string fields of m in place.
func sortStringLists(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.IsList() && fd.Kind() == protoreflect.StringKind {
			list := v.List()
			s := make([]string, list.Len())
			for i := range s {
				s[i] = list.Get(i).String()
			}
			slices.Sort(s)
			for i, e := range s {
				list.Set(i, protoreflect.ValueOfString(e))
			}
		}
		return true
	})
}

// upstreamTargets returns, per service, the targets the mocks recorded
// (REST: method, path and query; gRPC: full method), sorted: a multiset.
func upstreamTargets(c *mocks.Cluster) map[string][]string {
	out := map[string][]string{}
	for svc := range c.Addrs() {
		for _, r := range c.Requests(svc) {
			out[svc] = append(out[svc], r.Target)
		}
		slices.Sort(out[svc])
	}
	return out
}

// diffTargets reports every service whose multiset of targets differs.
func diffTargets(t *testing.T, ceilingCalls, bffCalls map[string][]string) {
	t.Helper()
	services := map[string]bool{}
	for s := range ceilingCalls {
		services[s] = true
	}
	for s := range bffCalls {
		services[s] = true
	}
	for _, s := range slices.Sorted(func(yield func(string) bool) {
		for s := range services {
			if !yield(s) {
				return
			}
		}
	}) {
		if !slices.Equal(ceilingCalls[s], bffCalls[s]) {
			t.Errorf("%s: the ceiling's calls differ from bff-web's\n ceiling: %q\n bff-web: %q", s, ceilingCalls[s], bffCalls[s])
		}
	}
}

// diffMessages reports gRPC request messages that differ.
func diffMessages(t *testing.T, ceilingMsgs, bffMsgs []string) {
	t.Helper()
	if !slices.Equal(ceilingMsgs, bffMsgs) {
		t.Errorf("the ceiling's gRPC requests differ from bff-web's\n ceiling: %q\n bff-web: %q", ceilingMsgs, bffMsgs)
	}
}
