"""Pieces every job uses: config, router, prompts, provenance, redaction, paths, errors."""
