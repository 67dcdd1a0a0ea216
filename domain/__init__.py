"""The planning domain: aggregates, their events and the rules they enforce.

Pure Python plus ``eventsourcing.domain``; nothing here performs I/O or imports
another package of the project.
"""
