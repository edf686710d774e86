"""Building the index: passages to tokens, embeddings (reusing every stored vector that verifies) and the store."""
