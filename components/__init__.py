"""The engine of ML Explorer: pure computation and chart builders (no streamlit here, except ui/)."""
import os

# OpenMP's thread count is per calling thread: threadpool_limits below sets it for this thread only,
# and Streamlit runs every rerun in a new thread, which started again with one OpenMP thread per core
# (k-NN, mutual information and t-SNE ran 3-6x slower on the 2-core host). The variable sets the
# default every thread starts with; it must be set before scikit-learn loads the OpenMP runtime.
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy  # noqa: F401  (load OpenBLAS and OpenMP first, so the limit below reaches them)
import sklearn.ensemble  # noqa: F401
from threadpoolctl import threadpool_limits

# The app fits many small models on a 2-core host: BLAS/OpenMP thread pools there cost more than
# they give (measured 3-20x slower fits with two threads while another request runs).
threadpool_limits(limits=1)
