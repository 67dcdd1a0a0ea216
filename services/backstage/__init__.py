"""Backstage's software catalog: importing ``catalog-info.yaml`` into the org and its
boundaries, and exporting them as catalog entities (docs/BACKSTAGE.md)."""
