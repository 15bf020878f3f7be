// Package execution is what the generated gqlgen executors call in place
// of gqlgen's own functions where gqlgen spends a request's CPU on
// machinery rather than on its answer. tools/gqlgen points the generated
// code here (the same arguments, so every hook can and does fall back to
// gqlgen's function):
//
//   - MarshalSlice and ResolveField, where gqlgen starts a goroutine per
//     list item and per concurrent field: on a level the operation has
//     marked Inline, items and fields resolve in the goroutine already
//     running (a field through Now and Store, without the closure
//     ResolveField schedules);
//   - Resolve, gqlgen's ResolveField for the other fields, calling the
//     field observers without gqlgen's interceptor chain (Direct), and
//     CollectFields, an operation's collected fields without a hasher per
//     object (Fields); MarshalData, a response's data in a buffer sized
//     from the operation's last answer;
//   - NewDeferredGroup, so that an object's @defer bookkeeping (its path
//     above all) is made only when one of its fields is deferred;
//   - ResolveLeaf, for plain built-in scalar fields, which need neither a
//     field context nor the field interceptors; and, where the field's Go
//     type is exactly string, bool or an int, no call at all: the leaf
//     values (String, Boolean, Int, Int32, Int64) read the field through
//     a pointer into the model;
//   - Object, for an object's value, written as gqlgen's field set writes
//     it without the map and copies it makes per object.
//
// What the rewritten executor answers is checked against gqlgen's own
// executor, byte for byte, by tools/gqlgen/internal/difftest.
//
// Which levels are Inline is not decided here: that takes knowing which
// fields have their data loading before they resolve, which is the
// batching plan's (shared/prefetch). FieldKind is the vocabulary of the
// table tools/gqlgen writes beside each executor for that decision.
//
// Observe is the one field interceptor of the gateway's FieldObservers
// (the batching plan, the actual cost): each interceptor gqlgen has costs
// every non-leaf field a closure, and these only look at a field's result.
package execution
