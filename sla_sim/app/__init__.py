"""The planner in the browser (Streamlit): `app.py` at the project root calls `page.show`.

`state` holds what the planner knows, free of Streamlit; `shared` and `session` keep it across
reruns; `sidebar`, `editor` and one module per tab draw the page.
"""
