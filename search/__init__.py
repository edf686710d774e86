"""search: retrieval over the kb passages — tokenizers, BM25, dense encoder, fusion, index store, CLI."""
