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

	"github.com/tandemgw/tandem/mocks"
)

// messageLog records the request messages of the gRPC calls a client
// makes: the mocks record a call's method, not what it asked for.
type messageLog struct {
	mu   sync.Mutex
	msgs []string // "full method body", body in deterministic protojson
}

func (l *messageLog) interceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		body := fmt.Sprintf("%v", req)
		if m, ok := req.(proto.Message); ok {
			if b, err := (protojson.MarshalOptions{}).Marshal(m); err == nil {
				// protojson's output has random spacing; the compact form
				// is stable.
				body = strings.Join(strings.Fields(string(b)), "")
			}
		}
		l.mu.Lock()
		l.msgs = append(l.msgs, method+" "+body)
		l.mu.Unlock()
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// take returns the messages recorded since the last take, sorted, and
// forgets them.
func (l *messageLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.msgs
	l.msgs = nil
	slices.Sort(out)
	return out
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
