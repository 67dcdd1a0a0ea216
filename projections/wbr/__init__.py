"""The weekly business review's views and its computation."""
