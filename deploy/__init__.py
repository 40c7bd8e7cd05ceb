"""Running the app for many, and the process harness everything that starts the app shares.

- deploy.harness: `streamlit run app.py` on a free port (StreamlitServer), Chromium and its flags, and
  AppSession, a client of Streamlit's websocket protocol; bench/ and the tests import it;
- deploy.lecture_hall: several app processes behind nginx (python -m deploy.lecture_hall).

deploy/ imports nothing from bench/ (tests/unit/test_layout.py holds it to that).
"""
