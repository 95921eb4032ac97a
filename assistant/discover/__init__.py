"""Discovering professors the student has not heard of, over OpenAlex (`outreach discover`); see run.py."""

from assistant.discover.models import DiscoveredProfessor, DiscoverOptions, Discovery
from assistant.discover.run import discover

__all__ = ["DiscoverOptions", "DiscoveredProfessor", "Discovery", "discover"]
