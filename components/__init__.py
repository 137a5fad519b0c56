"""The engine of ML Explorer: pure computation and chart builders (no streamlit here, except ui/)."""
import numpy  # noqa: F401  (load OpenBLAS and OpenMP first, so the limit below reaches them)
import sklearn.ensemble  # noqa: F401
from threadpoolctl import threadpool_limits

# The app fits many small models on a 2-core host: BLAS/OpenMP thread pools there cost more than
# they give (measured 3-20x slower fits with two threads while another request runs).
threadpool_limits(limits=1)
