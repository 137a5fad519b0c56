"""The global sidebar: presenter mode, share link, seed in the URL, shared controls a page ignores."""
import re

import pytest

from components import catalog
from components.ui import common
from tests.apptest_utils import ROOT, assert_clean, open_page

PAGE = "views/evaluation/cockpit.py"


def test_presenter_mode_hides_code_and_questions_and_enlarges_type():
    at = open_page(PAGE)
    assert any("train_test_split" in c.value for c in at.code)
    at.toggle(key=common.PRESENTER_KEY).set_value(True).run()
    assert_clean(at)
    assert not any("train_test_split" in c.value for c in at.code)
    assert not any("Interview questions" in m.value for m in at.markdown)
    assert any("font-size" in h.proto.body for h in at.get("html"))


def test_share_link_carries_the_non_default_settings():
    at = open_page(PAGE, query={"eval.threshold": "0.42", "app.seed": "3"})
    assert_clean(at)
    at.button(key="app.share_qr").click().run()  # the class link's dialog (the sidebar's box: tests/test_browser.py)
    link = next(c.value for c in at.code if "app.seed" in c.value)
    assert "eval.threshold=0.42" in link and "app.seed=3" in link


SHARED_CONTROLS = (common.DATASET_KEY, common.N_SAMPLES_KEY, common.NOISE_KEY)
READS_DATASET = re.compile(r"common\.(current_dataset|dataset_name|dataset_key|two_d_dataset)\(")
READS_GENERATION = re.compile(r"common\.(N_SAMPLES_KEY|NOISE_KEY)|common\.(current_dataset|two_d_dataset)\(")


@pytest.mark.parametrize("spec", catalog.PAGES, ids=lambda p: p.url_path)
def test_each_page_declares_the_shared_data_controls_it_reads(spec):
    """The sidebar greys out what catalog.PageSpec.data says a page ignores: check the claim against
    what the page's script actually reads."""
    source = (ROOT / spec.path).read_text()
    reads_dataset, reads_generation = bool(READS_DATASET.search(source)), bool(READS_GENERATION.search(source))
    expected = {catalog.SHARED_DATASET: (True, True), catalog.OWN_2D_SETS: (False, True),
                catalog.OWN_DATA: (False, False)}[spec.data]
    assert (reads_dataset, reads_generation) == expected


@pytest.mark.parametrize("spec", [catalog.find("cockpit"), catalog.find("gallery"), catalog.find("applications")],
                         ids=lambda p: p.url_path)
def test_the_sidebar_greys_out_the_controls_a_page_ignores(spec):
    at = open_page(spec.path)
    assert_clean(at)
    disabled = {w.key: w.disabled for kind in ("selectbox", "slider") for w in at.sidebar.get(kind)
                if w.key in SHARED_CONTROLS}
    assert disabled == {common.DATASET_KEY: spec.data != catalog.SHARED_DATASET,
                        common.N_SAMPLES_KEY: spec.data == catalog.OWN_DATA,
                        common.NOISE_KEY: spec.data == catalog.OWN_DATA}


def test_greyed_out_controls_keep_their_values_for_the_next_page():
    at = open_page("views/evaluation/cockpit.py", query={common.DATASET_KEY: "wine", common.NOISE_KEY: "0.5"})
    at.switch_page(catalog.find("applications").path).run()
    assert at.selectbox(key=common.DATASET_KEY).disabled and at.selectbox(key=common.DATASET_KEY).value == "wine"
    at.switch_page("views/evaluation/cockpit.py").run()
    assert_clean(at)
    assert not at.selectbox(key=common.DATASET_KEY).disabled
    assert at.selectbox(key=common.DATASET_KEY).value == "wine" and at.slider(key=common.NOISE_KEY).value == 0.5


def test_seed_changes_the_folds():
    def fold_accuracy(at):
        return next(df.value for df in at.dataframe if "fold" in df.value.columns)["accuracy"].round(6).tolist()
    assert fold_accuracy(open_page(PAGE)) != fold_accuracy(open_page(PAGE, query={"app.seed": "5"}))


HEAVY = ("shap", "statsmodels", "optuna", "imblearn")
# Which heavy packages each page may load; every other page must start without them.
HEAVY_ALLOWED = {"views/beyond/interpretability.py": {"shap"}, "views/beyond/applications.py": {"statsmodels"},
                 "views/evaluation/tuning.py": {"optuna"}, "views/pitfalls/imbalanced.py": {"imblearn"},
                 "views/pitfalls/leakage.py": {"imblearn"}}


def heavy_modules_after_opening(path: str) -> set[str]:
    """Open one page from app.py in a fresh interpreter; the heavy packages it imported."""
    import json
    import subprocess
    import sys

    from tests.apptest_utils import ROOT
    probe = ("import json, sys; from tests.apptest_utils import open_page; "
             f"at = open_page({path!r}); assert not at.exception, at.exception; "
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_home_and_cockpit_start_without_heavy_packages():
    """shap, statsmodels, optuna and imbalanced-learn cost seconds to import: only their pages pay."""
    assert heavy_modules_after_opening("views/home.py") == set()
    assert heavy_modules_after_opening(PAGE) == set()


def test_a_heavy_page_loads_only_its_own_heavy_package():
    page = "views/beyond/interpretability.py"
    loaded = heavy_modules_after_opening(page)
    assert loaded <= HEAVY_ALLOWED[page], loaded


def test_every_script_thread_gets_one_thread_per_library():
    """Streamlit runs each rerun in a new thread; importing the app's components must give that thread
    one OpenMP and one BLAS thread, also for the libraries loaded later (2-core hosts: more threads made
    k-NN and t-SNE 3-6x slower)."""
    import subprocess
    import sys

    from tests.apptest_utils import ROOT
    probe = """
import threading, streamlit, components
from threadpoolctl import threadpool_info
import sklearn.neighbors, scipy.linalg  # load scikit-learn's OpenMP and SciPy's OpenBLAS after the package
seen = []
t = threading.Thread(target=lambda: seen.extend([i["user_api"], i["num_threads"]] for i in threadpool_info()))
t.start(); t.join()
print(__import__("json").dumps(seen))
"""
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    pools = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    assert {api for api, _ in pools} == {"openmp", "blas"} and {n for _, n in pools} == {1}


def test_the_first_run_warms_the_labs_libraries_and_freezes_them_once():
    """Home draws without scikit-learn; after the first page a background thread imports the labs'
    libraries and puts them out of the garbage collector's full passes (they made ~100 ms pauses on
    random reruns); later runs freeze nothing more."""
    import subprocess
    import sys

    from tests.apptest_utils import ROOT
    probe = """
import gc, sys, threading
from tests.apptest_utils import open_page
from components.ui import common
importers = []  # the thread that first imports scikit-learn
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "sklearn":
            importers.append(threading.current_thread().name)
sys.meta_path.insert(0, Spy())
before = gc.get_freeze_count()
at = open_page()
[t.join() for t in threading.enumerate() if t.name == common.WARM_UP_THREAD]
first = gc.get_freeze_count()
assert all(m in sys.modules for m in common.WARM_MODULES)
at.run(); at.switch_page('views/data/scaling.py'); at.run(); assert not at.exception
print(importers[0], before, first, gc.get_freeze_count())
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    importer, before, first, later = out.stdout.strip().splitlines()[-1].split()
    assert importer == common.WARM_UP_THREAD
    before, first, later = int(before), int(first), int(later)
    assert first > before + 100_000
    assert later <= first  # nothing frozen again (frozen objects can still be freed by reference counting)
