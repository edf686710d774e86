"""The HTTP service behind `kb serve`: the FastAPI app, live index reload and the server."""
