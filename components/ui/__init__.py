"""Reusable Streamlit widget groups and cached loaders shared by pages (the only place under
components/ that imports streamlit)."""
