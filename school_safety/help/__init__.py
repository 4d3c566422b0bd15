"""Where a child can get help right now: the help lines shown on every pupil page."""
