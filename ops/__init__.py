"""Operators' tools run from a workstation against the local stack or a deployed one (never shipped to Lambda)."""
