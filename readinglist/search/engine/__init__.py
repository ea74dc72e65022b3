"""The search engine side: our query tree compiled to Whoosh, set queries, ranking, vocabularies.

Swapping the Whoosh distribution, or the engine, touches this folder (and ``schema.py``).
"""
