import streamlit as st

st.title("Evaluation cockpit")
