"""Running a job: ingest and reprocess runs, worker pools, the per-file work and post-ingest stages."""
