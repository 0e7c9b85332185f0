"""Plumbing for long work: progress and cancel tokens, devices and threads, memory checks, pacing."""
