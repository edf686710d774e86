"""search: retrieval over the kb passages — tokenizers, BM25, dense encoder, fusion, index store, CLI."""
import os

# One BLAS thread for NumPy: a query's matrices are tiny, and with two cores shared by a server's worker
# threads more BLAS threads only contend (a query took 46 ms instead of 13 ms under load; BENCHMARKS.md "Speed").
# Set before NumPy is first imported; an explicit setting in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
