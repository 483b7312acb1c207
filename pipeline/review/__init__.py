"""`shoko review`: the local web application over the database (app.py, data.py, pages.py)."""
