// Package gen holds code generated from the protobuf contracts in
// schema/proto by `make generate`. Nothing under it is edited by hand.
package gen
