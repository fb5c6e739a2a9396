"""Tern's Python helpers for jobs. Standard library only; see tern.checkpoint."""
