"""The staff side of a report: the queue, the case page, its lifecycle, notes and links."""
