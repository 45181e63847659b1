"""The transactional outbox's table (the code is in rse/lib/outbox.py).

A small app of the bottom layer, beside rse.accounts and rse.trail: every app enqueues its Celery
tasks through it, so it must sit below all of them.
"""
