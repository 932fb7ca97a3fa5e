"""`python -m bench`: times a real backup through the worker against the raw floor.

The floor is what the database and the deflate alone allow: COPY of the same rows, straight
into a ZIP entry deflated as the backup's are. The ratio of the two is the product's overhead.
"""
