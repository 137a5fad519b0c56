"""The engine of ML Explorer: pure computation and chart builders (no streamlit here, except ui/)."""
