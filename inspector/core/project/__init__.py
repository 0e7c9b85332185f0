"""A project on disk (``store``) and what works on it: thresholds and the verdict rule, the review session, jobs,
the line (watch, serve), reports, packages, the recent-projects list."""
