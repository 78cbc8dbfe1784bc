"""Typer commands: parse options, call the core or a job, render. No logic lives here."""
