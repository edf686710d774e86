"""kb: the knowledge — glossary data and the code that reads it (glossary, page sections, passages)."""
