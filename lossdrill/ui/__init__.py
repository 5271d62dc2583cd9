"""Terminal input and output shared by the interactive drills."""
