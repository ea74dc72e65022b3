"""Everything that knows Whoosh: schema, analysis, files, writers, query compilation, ranking.

Swapping the Whoosh distribution, or the engine, touches this folder only; the rest of
``readinglist.search`` works in queries, paper ids and progress (docs/decisions.md).
"""
