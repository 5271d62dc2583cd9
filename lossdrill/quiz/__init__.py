"""The quiz drill as data: choosing questions and grading answers. Nothing here prints."""
