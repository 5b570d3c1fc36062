"""Read models: each one fed by the ticket topic through its own queue and consumer, with its own storage, and
rebuildable from the timelines by an ops command (GUIDE §7). Search first, reports next (views/reports)."""
