"""`python -m bench`: times a real backup through the worker against the raw floor.

The floor is what the database and zlib alone allow: COPY of the same rows, straight into a
ZIP entry at the same deflate level. The ratio of the two is the product's overhead.
"""
