"""The item kinds and the known topics: plain names, importable without the schema."""

from __future__ import annotations

KINDS = (
    "choice",
    "multi",
    "numeric",
    "recall",
    "scenario",
    "flashcard",
    "implement",
    "bug-hunt",
)
"""Every item kind. The first five are asked by ``lossdrill quiz``; ``bug-hunt`` too."""

QUIZ_KINDS = ("choice", "multi", "numeric", "recall", "scenario", "bug-hunt")

TOPICS = (
    "regression",
    "classification",
    "embeddings",
    "gradients",
    "stability",
    "information-theory",
    "production",
    "ranking",
    "contrastive",
    "segmentation",
)
"""Known topics. Other topics are accepted (user banks may add their own)."""
