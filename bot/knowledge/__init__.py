"""The knowledge base: policies, offices and sources, loaded from YAML and checked against the sources."""
from .loader import DEFAULT_INTENTS_DIR, DEFAULT_KNOWLEDGE_DIR, load_knowledge, load_knowledge_strict
from .model import (Condition, KnowledgeBase, OfficeEntry, OfficeTable, Place, Policy, Region, SourceDoc,
                    Standing, Topic)
from .validate import ValidationReport, validate
from .yamlio import DataError, Problem

__all__ = [
    "Condition", "DataError", "DEFAULT_INTENTS_DIR", "DEFAULT_KNOWLEDGE_DIR", "KnowledgeBase", "OfficeEntry",
    "OfficeTable", "Place", "Policy", "Problem", "Region", "SourceDoc", "Standing", "Topic",
    "ValidationReport", "load_knowledge", "load_knowledge_strict", "validate",
]
