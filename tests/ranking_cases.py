"""Queries over the fixture knowledge base whose answers sit at the back of the index order, with the exact order each
mode gives (fake encoder): the engine, API and CLI tests assert them, so a search that returned passages in index
order, or any other order than the ranking's, fails them."""
from __future__ import annotations

INDEX_ORDER = ["term:mha", "term:gqa", "term:mqa", "term:kv-cache", "attention/gqa#mha", "attention/gqa#gqa", "attention/gqa#gqa-1", "attention/gqa#kv-memory"]

RANKED = [
    # (query, mode, the first hits in order; for bm25 the whole list: only passages holding a query word are listed)
    ("kv cache memory per token", "hybrid", ["attention/gqa#kv-memory", "term:kv-cache", "attention/gqa#gqa"]),
    ("kv cache memory per token", "bm25", ["attention/gqa#kv-memory", "term:kv-cache", "attention/gqa#gqa"]),
    ("kv cache memory per token", "dense", ["term:kv-cache", "attention/gqa#kv-memory", "attention/gqa#gqa"]),
    ("KV 缓存占多少显存", "hybrid", ["attention/gqa#kv-memory", "term:kv-cache", "attention/gqa#gqa"]),
    ("GQA with one group is MQA", "bm25", ["attention/gqa#gqa-1", "term:gqa", "attention/gqa#gqa", "term:mqa"]),
    ("只有一组的 GQA", "bm25", ["attention/gqa#gqa-1", "attention/gqa#gqa", "term:gqa"]),
    ("只有一组的 GQA", "hybrid", ["attention/gqa#gqa-1", "attention/gqa#gqa", "attention/gqa#mha"]),
    ("multi-head attention splits the model dimension", "dense", ["attention/gqa#mha", "term:mha", "attention/gqa#gqa"]),
    ("keys and values of past tokens", "bm25", ["term:kv-cache", "attention/gqa#kv-memory"]),
]
