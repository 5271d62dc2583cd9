"""Spaced-repetition flashcards: FSRS scheduling (:mod:`.scheduling`) and sessions (:mod:`.session`)."""
