"""The model-routing layer. Only ``litellm_backend`` imports litellm, and only when a call is made."""

from devcopilot.core.router.cache import ResponseCache
from devcopilot.core.router.router import ModelRouter
from devcopilot.core.router.structured import StructuredOutputError, extract_json, parse_structured
from devcopilot.core.router.types import Completion

__all__ = [
    "Completion",
    "ModelRouter",
    "ResponseCache",
    "StructuredOutputError",
    "extract_json",
    "parse_structured",
]
