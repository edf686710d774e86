"""Cutting text into tokens: the BM25 tokenizer (jieba words and glossary names for Chinese) and the prepared jieba dictionary."""
