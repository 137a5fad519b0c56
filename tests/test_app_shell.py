"""The global sidebar: presenter mode, share link, seed in the URL."""
from components.ui import common
from tests.apptest_utils import assert_clean, open_page

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
    link = next(c.value for c in at.sidebar.code)
    assert "eval.threshold=0.42" in link and "app.seed=3" in link


def test_seed_changes_the_folds():
    def fold_accuracy(at):
        return next(df.value for df in at.dataframe if "fold" in df.value.columns)["accuracy"].round(6).tolist()
    assert fold_accuracy(open_page(PAGE)) != fold_accuracy(open_page(PAGE, query={"app.seed": "5"}))
