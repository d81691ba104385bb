// Package oracle is the naive evaluation of the fault model that the
// differential tests of audit and plan compare against: fail some
// components, recompute everything with plain loops and a breadth-first
// search over the inventory itself. It shares no code with package fault,
// which is the point; it is imported by tests only, and RandomInventory
// makes the small, messy inventories they run it on.
package oracle
