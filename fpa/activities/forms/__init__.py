"""The activities' forms, one module per area (activities, sites and pool, sign-in, campaigns)."""
