"""The local provenance log of every model call and job run, and the figures drawn from it."""

from devcopilot.core.provenance.log import SCHEMA_VERSION, ProvenanceLog, Record

__all__ = ["SCHEMA_VERSION", "ProvenanceLog", "Record"]
