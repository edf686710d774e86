"""Cutting text into tokens: the BM25 tokenizer (jieba's search-mode cut via rjieba, and glossary names, for Chinese)."""
