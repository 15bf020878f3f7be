package upstream

import (
	"time"

	"github.com/tandemgw/tandem/shared/errcode"
)

// Observer receives what happens to the calls of every upstream, for
// metrics and tests. Methods are called synchronously on the calling
// goroutine (breaker state changes under the breaker's lock), so they must
// be quick and must not call back into the client. Embed NopObserver to
// implement only some of them.
type Observer interface {
	// CallDone reports one logical call (all its attempts) with its
	// outcome: code is "" on success.
	CallDone(service string, code errcode.Code, elapsed time.Duration)
	// AttemptDone reports one attempt against one endpoint; code is "" on
	// success. Attempts refused inside the gateway (bulkhead, breaker,
	// invalid input) are not attempts and are not reported here.
	AttemptDone(service, endpoint string, code errcode.Code, elapsed time.Duration)
	// Retried reports that a call is tried again (attempt is 2, 3, ...).
	Retried(service string, attempt int)
	// RetryBudgetExhausted reports a retry the retry budget refused.
	RetryBudgetExhausted(service string)
	// BreakerChanged reports a circuit breaker state change; states are
	// "closed", "half-open" and "open".
	BreakerChanged(service, from, to string)
	// BulkheadRejected reports a call turned away because MaxConcurrent
	// calls were already in flight.
	BulkheadRejected(service string)
	// EndpointEjected reports an endpoint taken out of rotation until the
	// given time; EndpointReturned reports it back.
	EndpointEjected(service, endpoint string, until time.Time)
	EndpointReturned(service, endpoint string)
}

// NopObserver ignores everything; embed it to implement part of Observer.
type NopObserver struct{}

var _ Observer = NopObserver{}

func (NopObserver) CallDone(string, errcode.Code, time.Duration)            {}
func (NopObserver) AttemptDone(string, string, errcode.Code, time.Duration) {}
func (NopObserver) Retried(string, int)                                     {}
func (NopObserver) RetryBudgetExhausted(string)                             {}
func (NopObserver) BreakerChanged(string, string, string)                   {}
func (NopObserver) BulkheadRejected(string)                                 {}
func (NopObserver) EndpointEjected(string, string, time.Time)               {}
func (NopObserver) EndpointReturned(string, string)                         {}

// observers fans every event out to several observers.
type observers []Observer

var _ Observer = observers(nil)

func (os observers) CallDone(s string, c errcode.Code, d time.Duration) {
	for _, o := range os {
		o.CallDone(s, c, d)
	}
}

func (os observers) AttemptDone(s, e string, c errcode.Code, d time.Duration) {
	for _, o := range os {
		o.AttemptDone(s, e, c, d)
	}
}

func (os observers) Retried(s string, n int) {
	for _, o := range os {
		o.Retried(s, n)
	}
}

func (os observers) RetryBudgetExhausted(s string) {
	for _, o := range os {
		o.RetryBudgetExhausted(s)
	}
}

func (os observers) BreakerChanged(s, from, to string) {
	for _, o := range os {
		o.BreakerChanged(s, from, to)
	}
}

func (os observers) BulkheadRejected(s string) {
	for _, o := range os {
		o.BulkheadRejected(s)
	}
}

func (os observers) EndpointEjected(s, e string, until time.Time) {
	for _, o := range os {
		o.EndpointEjected(s, e, until)
	}
}

func (os observers) EndpointReturned(s, e string) {
	for _, o := range os {
		o.EndpointReturned(s, e)
	}
}
