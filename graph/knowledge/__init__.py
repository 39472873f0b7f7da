"""The loaded graph: validated content, immutable, with the indexes every lookup uses."""

from graph.knowledge.knowledge_graph import Direction, KnowledgeGraph, Neighbour

__all__ = ["Direction", "KnowledgeGraph", "Neighbour"]
