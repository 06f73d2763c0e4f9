"""Who is calling: passwords and their hashes, accounts disabled or not, sessions' generations
(``credentials``), signing in (``signin``), and the open API's tokens and system clients. New
sign-in methods land here.
"""
