"""The engine of ML Explorer: pure computation and chart builders (no streamlit here, except ui/)."""
import os

# The app fits many small models on a 2-core host: BLAS/OpenMP thread pools there cost more than
# they give (measured 3-20x slower fits with two threads while another request runs). Every library
# reads its variable once, when it loads; scikit-learn's OpenMP and SciPy's OpenBLAS load after this
# line (Home imports neither, so a cold server draws it sooner), and OpenMP's variable is also the
# count every new thread starts with (Streamlit runs each rerun in a new thread).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from threadpoolctl import threadpool_limits  # noqa: E402

# A library loaded before this package (NumPy's OpenBLAS, imported by a test runner) is limited here.
threadpool_limits(limits=1)
