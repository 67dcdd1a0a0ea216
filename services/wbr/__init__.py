"""The weekly business review: bulk observations, variance notes, the 6-12 view, its
charts, the HTML deck and the export to wbr-app."""
