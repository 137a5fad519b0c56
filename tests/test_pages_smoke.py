"""Every page renders from app.py with no exception, no error box and at least some content."""
import pytest

from components import catalog
from tests.apptest_utils import ALL_PAGES, assert_clean, open_page


@pytest.mark.parametrize("path", ALL_PAGES)
def test_page_renders_clean(path):
    at = open_page(path)
    assert_clean(at, path)
    assert len(at.main.children) > 0


def test_catalogue_files_exist_and_are_not_in_a_pages_folder():
    for p in catalog.PAGES:
        assert (catalog.ROOT / p.path).is_file(), p.path
        assert not p.path.startswith("pages/"), "see README: the deep-link trap"
    assert len({p.url_path for p in catalog.PAGES}) == len(catalog.PAGES)


def test_home_links_every_page():
    at = open_page()
    linked = {link.proto.page for link in at.get("page_link")}
    for p in catalog.PAGES:
        assert any(p.url_path in str(x) or p.path in str(x) for x in linked), p.path
